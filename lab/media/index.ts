/**
 * The lab's media plane: real WebRTC legs (libwebrtc via @roamhq/wrtc) and
 * simulated parties around a 10 ms mixing bridge. See README.md.
 */
export { MediaHub, type HubOptions } from './hub';
export type { WebRtcLeg, LegOptions, LegState } from './leg';
export type { PartySource } from './tone';
export { DtmfDetector, dtmfFrequencies, DTMF_KEYS } from './dtmf-detect';
export { restrictCandidates, telephoneEvents, type CandidatePolicy } from './sdp';
