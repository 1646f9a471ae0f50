import type { FlowRecord, ChatMessage } from '../types/records.js';
import { ItemError } from '../errors.js';
import type { VaValue } from './circumplex.js';

/** The record's valence and arousal; an ItemError naming the item when either is missing or outside [-1, 1]. */
export function vaOf(record: FlowRecord): VaValue {
  const { valence, arousal } = record;
  if (typeof valence !== 'number' || typeof arousal !== 'number' || !Number.isFinite(valence) || !Number.isFinite(arousal)
    || Math.abs(valence) > 1 || Math.abs(arousal) > 1) {
    throw new ItemError(`item ${record.id} (from ${record.node}): expected numeric valence and arousal in [-1, 1], got ${JSON.stringify(valence)}, ${JSON.stringify(arousal)}`);
  }
  return { valence, arousal };
}

/** The prompt record's chat messages; an ItemError naming the item when absent or malformed. */
export function messagesOf(record: FlowRecord): ChatMessage[] {
  const { messages } = record;
  const ok = Array.isArray(messages) && messages.length > 0 && messages.every((m: unknown) =>
    !!m && typeof m === 'object' && 'role' in m && 'content' in m
    && (m.role === 'system' || m.role === 'user' || m.role === 'assistant') && typeof m.content === 'string');
  if (!ok) {
    throw new ItemError(`item ${record.id} (from ${record.node}): expected a prompt record with messages [{ role, content }] (put a prompt-variant node before this one)`);
  }
  return messages.map((m: { role: ChatMessage['role']; content: string }) => ({ role: m.role, content: m.content }));
}
