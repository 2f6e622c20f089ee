'use strict';
// Forwards each new item of the table's stream to the work queue. An item with `poison: true` fails the whole batch
// before anything is sent, so the event source mapping bisects the batch until that item fails alone.
const { SendMessageCommand, SQSClient } = require('@aws-sdk/client-sqs');

const sqs = new SQSClient({});

exports.handler = async (event) => {
  const items = event.Records.map((record) => record.dynamodb.NewImage);
  console.log(`batch ${items.map((item) => item.id.S).join(',')}`);
  const poison = items.find((item) => item.poison?.BOOL === true);
  if (poison) throw new Error(`item ${poison.id.S} is poison`);
  for (const item of items) {
    const body = { id: item.id.S, failInQueue: item.failInQueue?.BOOL === true };
    await sqs.send(
      new SendMessageCommand({ QueueUrl: process.env.WORK_QUEUE_URL, MessageBody: JSON.stringify(body) }),
    );
  }
};
