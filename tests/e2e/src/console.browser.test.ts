import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { ConsoleJournal, declaredReaders, startConsole } from '@outboxed/local-console';
import { chromiumPath } from '@outboxed/local-console/testing';
import type { RunningConsole } from '@outboxed/local-console';
import type { LocalRuntime } from '@outboxed/local-runtime';
import { chromium } from 'playwright-core';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSystem, workspaceRoot } from './start-system';
import type { RunningSystem } from './start-system';

// The whole system (users-service, email-consumer, audit-consumer from their synthesized stacks, real DynamoDB
// Local) with the console beside it, driven in Debian's Chromium.
let system: RunningSystem;
let runtime: LocalRuntime;
let consoleServer: RunningConsole;
let browser: Browser;
let page: Page;
const pageErrors: string[] = [];

const postUser = async (name: string, correlationId: string) => {
  const res = await fetch(`${runtime.apis[0]?.url}users`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-correlation-id': correlationId },
    body: JSON.stringify({ email: `${correlationId}@example.com`, name }),
  });
  expect(res.status).toBe(201);
  return ((await res.json()) as { id: string }).id;
};
const stepsShown = (step: string) => page.locator(`[data-testid=trace-timeline] li[data-step="${step}"]`);

beforeAll(async () => {
  const executablePath = chromiumPath();
  const journal = new ConsoleJournal();
  system = await startSystem('local-console-e2e', {
    // a failed message comes back after 2 s and is dead-lettered at its second receive, so the test stays short
    propertyOverrides: ({ type }, properties) =>
      type === 'AWS::SQS::Queue'
        ? {
            ...properties,
            VisibilityTimeout: 2,
            ...(properties.RedrivePolicy
              ? { RedrivePolicy: { ...(properties.RedrivePolicy as object), maxReceiveCount: 2 } }
              : {}),
          }
        : properties,
    log: (e) => journal.runtimeLog(e),
    functionLog: (name, line) => journal.functionLine(name, line),
  });
  runtime = system.runtime;
  consoleServer = await startConsole({
    runtime,
    journal,
    port: 0,
    declaredReaders: () => declaredReaders(workspaceRoot),
  });
  browser = await chromium.launch({ executablePath, headless: true, args: ['--no-sandbox'] });
  page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  page.on('console', (message) => {
    if (message.type() === 'error') pageErrors.push(message.text());
  });
  page.on('pageerror', (error) => pageErrors.push(error.message));
}, 240_000);

afterAll(async () => {
  await browser?.close();
  await consoleServer?.stop();
  await system?.stop();
});

describe('local console in a real browser', () => {
  it('follows a user created through the API on the Trace view, from the request to its email and audit record', async () => {
    const userId = await postUser('Ada Lovelace', 'console-e2e-trace');

    await page.goto(`${consoleServer.url}#/trace?q=${userId}`);

    // the only trace of the user opens by itself and fills in live as the event travels
    for (const step of ['http', 'transaction', 'stream', 'put-events', 'rule', 'delivery', 'email', 'record'])
      await expect
        .poll(() => stepsShown(step).count(), { timeout: 30_000, message: step })
        .toBeGreaterThan(0);
    const appliedBy = () =>
      page
        .locator('[data-testid=trace-timeline] li[data-step=consumer][data-outcome=applied]')
        .evaluateAll((items) => [...new Set(items.map((li) => li.getAttribute('data-actor')))].sort());
    await expect
      .poll(appliedBy, { timeout: 30_000 })
      .toEqual(['AuditTrailConsumerFunction', 'WelcomeEmailConsumerFunction']);
    const timeline = await page.locator('[data-testid=trace-timeline]').innerText();
    expect(timeline).toContain(userId);
    expect(timeline).toContain('console-e2e-trace');
    // personal data stays hidden until the payload is opened
    expect(timeline).not.toContain('Ada Lovelace');
    expect(timeline).not.toContain('console-e2e-trace@example.com');
    // The README's screenshot is refreshed only when asked (UPDATE_DOCS_SCREENSHOTS=1): a test run writing into the
    // workspace would change the inputs of the tasks that read every file, and `npm test` would rerun them.
    const screenshots = process.env.UPDATE_DOCS_SCREENSHOTS
      ? join(workspaceRoot, 'docs', 'images')
      : join(import.meta.dirname, '..', 'test-results');
    mkdirSync(screenshots, { recursive: true });
    await page.screenshot({ path: join(screenshots, 'console-trace.png'), fullPage: true });
    await page.click('[data-testid=open-payload]');
    await expect
      .poll(() => page.locator('[data-testid=payload]').innerText(), { timeout: 10_000 })
      .toContain('Ada Lovelace');

    // the same trace is found by its correlation id, typed into the search box
    await page.goto(`${consoleServer.url}#/trace`);
    await page.fill('[data-testid=trace-search]', 'console-e2e-trace');
    await page.press('[data-testid=trace-search]', 'Enter');
    await expect
      .poll(() => page.locator('[data-testid=trace-timeline]').innerText(), { timeout: 10_000 })
      .toContain(userId);
  });

  it('shows a consumer failing an event into its DLQ with the reason, and redrives it from the console to its email', async () => {
    runtime.edge.faults.set({ ses: { errorRate: 1 } });
    const userId = await postUser('Grace Hopper', 'console-e2e-dlq');

    await page.goto(`${consoleServer.url}#/dead-letters`);
    const emailDlq = page.locator('[data-testid=dlq][data-queue*=WelcomeEmail]');
    await expect
      .poll(() => emailDlq.locator('[data-testid=dlq-count]').innerText(), { timeout: 60_000 })
      .toBe('1 message(s)');
    expect(await emailDlq.locator('[data-testid=dlq-reason]').innerText()).toMatch(
      /received 2 times, maxReceiveCount is 2/,
    );
    runtime.edge.faults.set({});
    await emailDlq.locator('[data-testid=redrive]').click();
    await expect
      .poll(() => page.locator('[data-testid=redrive-status]').innerText(), { timeout: 10_000 })
      .toContain('StartMessageMoveTask');

    await page.goto(`${consoleServer.url}#/trace?q=${userId}`);
    // the email consumer failed, its message was dead-lettered, redriven, then applied: each visible as such, in
    // order (the view updates live; the consumer's log line may arrive just after its email)
    const email = 'WelcomeEmailConsumerFunction';
    const stepsInOrder = async () => {
      const outcomes = await page
        .locator('[data-testid=trace-timeline] li[data-step]')
        .evaluateAll((items) =>
          items.map((li) => ['step', 'outcome', 'actor'].map((a) => li.getAttribute(`data-${a}`)).join(':')),
        );
      return [
        outcomes.indexOf(`consumer:failed:${email}`),
        outcomes.indexOf('dead-letter:dead-lettered:SQS'),
        outcomes.indexOf('redrive:redriven:SQS'),
        outcomes.lastIndexOf(`consumer:applied:${email}`),
        outcomes.findIndex((o) => o.startsWith('email:')),
      ];
    };
    await expect
      .poll(async () => (await stepsInOrder()).every((i) => i >= 0), { timeout: 60_000 })
      .toBe(true);
    const [failed = -1, deadLettered = -1, redriven = -1, applied = -1, emailed = -1] = await stepsInOrder();
    expect(failed).toBeLessThan(deadLettered);
    expect(deadLettered).toBeLessThan(redriven);
    expect(applied).toBeGreaterThan(redriven);
    expect(emailed).toBeGreaterThan(redriven);
  });

  it('draws the flow from the templates and lists the schemas with a diff and their readers', async () => {
    await page.goto(`${consoleServer.url}#/flow`);
    await expect
      .poll(() => page.locator('[data-testid=flow-node]').count(), { timeout: 10_000 })
      .toBeGreaterThan(8);
    const kinds = await page
      .locator('[data-testid=flow-node]')
      .evaluateAll((n) => n.map((e) => e.getAttribute('data-kind')));
    expect(new Set(kinds)).toEqual(
      new Set(['api', 'function', 'table', 'bus', 'rule', 'queue', 'dlq', 'mailbox']),
    );
    const delivered = await page
      .locator('[data-testid=flow-edge][data-to*=WelcomeEmailConsumerQueue]')
      .first()
      .getAttribute('data-count');
    expect(Number(delivered)).toBe(2);

    await page.goto(`${consoleServer.url}#/schemas`);
    await page
      .locator('[data-testid=schemas] tr', { hasText: 'outboxed.users@UserCreated.v2' })
      .first()
      .click();
    await expect
      .poll(() => page.locator('[data-testid=schema-diff] tr').count(), { timeout: 10_000 })
      .toBeGreaterThan(0);
    const readers = await page.locator('[data-testid=readers]').innerText();
    expect(readers).toContain('email-consumer');
    expect(readers).toContain('WelcomeEmailConsumerFunction');
  });

  it('logs no error in the browser console on any view', async () => {
    for (const view of ['trace', 'flow', 'dead-letters', 'schemas', 'mailbox', 'alarms']) {
      await page.goto(`${consoleServer.url}#/${view}`);
      // the views fetch on load; an error would show at once (the live connection never lets the network idle)
      await expect
        .poll(() => page.locator('main').innerText(), { timeout: 10_000 })
        .not.toMatch(/^loading…$|^$/);
    }
    expect(pageErrors).toEqual([]);
  });
});
