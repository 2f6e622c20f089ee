'use strict';
// Consumes the work queue, reporting the items with `failInQueue` as failed items (ReportBatchItemFailures): the
// queue returns them after its visibility timeout and moves them to its DLQ after maxReceiveCount receives.
exports.handler = async (event) => {
  const batchItemFailures = [];
  for (const record of event.Records) {
    const { id, failInQueue } = JSON.parse(record.body);
    if (failInQueue) {
      console.log(`failed ${id} (receive ${record.attributes.ApproximateReceiveCount})`);
      batchItemFailures.push({ itemIdentifier: record.messageId });
    } else {
      console.log(`consumed ${id}`);
    }
  }
  return { batchItemFailures };
};
