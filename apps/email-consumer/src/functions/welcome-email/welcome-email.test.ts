import { exampleUserCreatedV1Event } from '@outboxed/contracts/testing';
import { describe, expect, it } from 'vitest';
import {
  FALLBACK_GREETING_NAME,
  greetingName,
  WELCOME_TEMPLATE_CONTENT,
  welcomeEmail,
} from './welcome-email';

describe('welcome email', () => {
  it('has a subject with no placeholder: nothing the caller typed reaches it', () => {
    expect(WELCOME_TEMPLATE_CONTENT.Subject).toBe('Welcome to outboxed');
    expect(WELCOME_TEMPLATE_CONTENT.Subject).not.toContain('{{');
  });

  it.each([
    ['Ada Lovelace', 'Ada Lovelace'],
    ["  Séan O'Brien-Núñez  ", "Séan O'Brien-Núñez"],
    ['Zoë', 'Zoë'],
    ['李小龍', '李小龍'],
  ])('greets %j by name', (name, expected) => {
    expect(greetingName(name)).toBe(expected);
  });

  it.each([
    ['a link', 'Claim your prize at evil.example'],
    ['a URL', 'https://evil.example/x'],
    ['an address', 'write to me@evil.example'],
    ['a phone number', 'Call 0800 123 456'],
    ['markup', '<b>Ada</b>'],
    ['a line break', 'Ada\nLovelace'],
    ['currency signs', 'Win $$$ now'],
    ['more than 40 characters', 'A'.repeat(41)],
    ['only spaces', '   '],
    ['a leading hyphen', '-Ada'],
  ])('greets a name with %s as "there"', (_case, name) => {
    expect(greetingName(name)).toBe(FALLBACK_GREETING_NAME);
  });

  it('fills the template with the greeting name, never the raw one', () => {
    const event = exampleUserCreatedV1Event({ detail: { data: { name: 'Visit evil.example now' } } });

    // the consumer reads any version as v1: the example's detail is what it receives
    const detail = event.detail as unknown as Parameters<typeof welcomeEmail>[0];
    const input = welcomeEmail(detail, {
      senderAddress: 'welcome@outboxed.example',
      templateName: 'Welcome',
    });

    expect(input.Content?.Template?.TemplateData).toBe(JSON.stringify({ name: 'there' }));
  });
});
