// The dialog-info parser and the agent state it yields (pure; happy-dom's DOMParser).
import { describe, expect, it } from 'vitest';
import {
  applyDialogInfo,
  DialogInfoParseError,
  MAX_DIALOG_INFO_CHARS,
  parseDialogInfo,
  type AgentDialogMemory,
} from '../../lib/phone/dialog-info';
import { backoffDelay } from '../../lib/phone/backoff';
import { dialogInfo } from './phone-fakes';

const onNet = (uri: string) => uri.endsWith('@lab.earshot.test');

describe('parseDialogInfo', () => {
  it('reads the dialogs, states and the remote identity', () => {
    const info = parseDialogInfo(dialogInfo('201', 3, 'early', { uri: 'sip:5550100@pstn', display: 'A & B' }).replace('A & B', 'A &amp; B'));
    expect(info).toEqual({
      entity: 'sip:201@lab.earshot.test',
      version: 3,
      kind: 'full',
      dialogs: [{ id: '201', state: 'early', direction: 'recipient', remote: { uri: 'sip:5550100@pstn', display: 'A & B' } }],
    });
  });

  it('an empty dialog-info means no dialogs', () => {
    expect(parseDialogInfo('<dialog-info xmlns="urn:ietf:params:xml:ns:dialog-info" version="0" state="full"/>').dialogs).toEqual([]);
  });

  it.each([
    ['not XML', 'hello <<'],
    ['unbalanced', '<dialog-info><dialog></dialog-info>'],
    ['another root', '<presence/>'],
    ['DOCTYPE', '<!DOCTYPE dialog-info><dialog-info/>'],
    ['ENTITY', '<!ENTITY x "y"><dialog-info/>'],
    ['oversize', `<dialog-info>${' '.repeat(MAX_DIALOG_INFO_CHARS)}</dialog-info>`],
  ])('refuses %s', (_name, body) => {
    expect(() => parseDialogInfo(body)).toThrow(DialogInfoParseError);
  });
});

describe('applyDialogInfo', () => {
  it('remembers the early identity through the confirmed NOTIFY and forgets it when the call ends', () => {
    const memory: AgentDialogMemory = { dialogs: new Map() };
    const agent = { extension: '201', name: 'Alice' };
    const early = applyDialogInfo(memory, parseDialogInfo(dialogInfo('201', 1, 'early', { uri: 'sip:202@lab.earshot.test' })), agent, onNet, 10);
    expect(early).toEqual({ extension: '201', name: 'Alice', dialog: 'early', remote: { uri: 'sip:202@lab.earshot.test', onNet: true } });
    const confirmed = applyDialogInfo(memory, parseDialogInfo(dialogInfo('201', 2, 'confirmed')), agent, onNet, 20);
    expect(confirmed).toEqual({ ...early, dialog: 'confirmed', since: 20 });
    const again = applyDialogInfo(memory, parseDialogInfo(dialogInfo('201', 3, 'confirmed')), agent, onNet, 30);
    expect(again.since).toBe(20);
    const ended = applyDialogInfo(memory, parseDialogInfo(dialogInfo('201', 4, 'terminated')), agent, onNet, 40);
    expect(ended).toEqual({ extension: '201', name: 'Alice', dialog: 'terminated' });
  });

  it('without an early NOTIFY the counterpart is unknown', () => {
    const memory: AgentDialogMemory = { dialogs: new Map() };
    const state = applyDialogInfo(memory, parseDialogInfo(dialogInfo('201', 1, 'confirmed')), { extension: '201' }, onNet, 5);
    expect(state).toEqual({ extension: '201', dialog: 'confirmed', since: 5 });
  });

  it('no dialogs at all is idle', () => {
    const memory: AgentDialogMemory = { dialogs: new Map() };
    const body = '<dialog-info xmlns="urn:ietf:params:xml:ns:dialog-info" version="0" state="full"/>';
    expect(applyDialogInfo(memory, parseDialogInfo(body), { extension: '201' }, onNet, 1).dialog).toBe('idle');
  });
});

describe('backoffDelay', () => {
  it('doubles with equal jitter up to the ceiling', () => {
    expect([0, 1, 2, 3].map((n) => backoffDelay(n, () => 0))).toEqual([500, 1000, 2000, 4000]);
    expect([0, 1, 2, 3].map((n) => backoffDelay(n, () => 1))).toEqual([1000, 2000, 4000, 8000]);
    expect(backoffDelay(20, () => 1)).toBe(60_000);
  });
});
