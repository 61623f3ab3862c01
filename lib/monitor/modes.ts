/** The three ways a supervisor can be on an agent's call. */
export const MODES = ['listen', 'whisper', 'barge'] as const;
/** listen: hears both parties, heard by nobody. whisper: heard by the agent only. barge: heard by everyone. */
export type Mode = (typeof MODES)[number];

/** User-facing labels (the spec's words). */
export const MODE_LABELS: Record<Mode, string> = {
  listen: 'Listen Only',
  whisper: 'Whisper',
  barge: 'Join (Barge-In)',
};

/** Permission scopes of the PBX user directory. */
export const SCOPES = [
  'Basic User',
  'Call Center Agent',
  'Call Center Supervisor',
  'Office Manager',
] as const;
export type Scope = (typeof SCOPES)[number];
