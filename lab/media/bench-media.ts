/**
 * Mixing cost: `npx tsx lab/media/bench-media.ts [legs=4] [parties=16]`.
 * Parties form calls in pairs; each leg (a Node client peer in this same
 * process, so the figures include the client side's libwebrtc load too)
 * listens to one call, and the call's agent hears the leg (Whisper).
 */
import { MediaHub } from './hub';
import { NodeClient } from './test-client';
import { ToneGenerator } from './tone';

const legs = Number(process.argv[2] ?? 4);
const parties = Number(process.argv[3] ?? 16);
const hub = new MediaHub();
for (let i = 0; i < parties; i++) hub.addParty(`p${i}`, { kind: 'tone', hz: 300 + 50 * i });
for (let i = 0; i + 1 < parties; i += 2) {
  hub.setRoute(`p${i}`, [`p${i + 1}`]);
  hub.setRoute(`p${i + 1}`, [`p${i}`]);
}
const clients: NodeClient[] = [];
for (let l = 0; l < legs; l++) {
  const leg = hub.createLeg(`leg${l}`);
  const c = new NodeClient(new ToneGenerator(700 + l * 10, 0.2));
  clients.push(c);
  await c.acceptAnswer(await leg.answer(await c.createOffer()));
  const a = (2 * l) % parties;
  hub.setRoute(`leg${l}`, [`p${a}`, `p${a + 1}`]);
  hub.setRoute(`p${a}`, [`p${a + 1}`, `leg${l}`]);
}
await new Promise((r) => setTimeout(r, 5000));
const s = hub.stats();
console.log(JSON.stringify({ legs, parties, tickMeanUs: Math.round(s.tickMeanUs), tickP95Us: Math.round(s.tickP95Us), ticksIn5s: s.ticks }));
for (const c of clients) c.close();
await hub.close();
