// The lab's mixing cost (issue 3): 10 ms mixer ticks with simulated calls and
// monitor legs over real WebRTC. The Node stand-in clients of the legs run in
// this same process, so leg figures include their libwebrtc load too.
import { MediaHub } from '../lab/media/hub';
import { NodeClient } from '../lab/media/test-client';
import { ToneGenerator } from '../lab/media/tone';

export interface MixingRun {
  calls: number;
  legs: number;
  tickMeanUs: number;
  tickP95Us: number;
}

export async function benchMixing(calls: number, legs: number, seconds = 4): Promise<MixingRun> {
  const hub = new MediaHub();
  const parties = calls * 2;
  for (let i = 0; i < parties; i++) hub.addParty(`p${i}`, { kind: 'tone', hz: 300 + 10 * i });
  for (let i = 0; i + 1 < parties; i += 2) {
    hub.setRoute(`p${i}`, [`p${i + 1}`]);
    hub.setRoute(`p${i + 1}`, [`p${i}`]);
  }
  const clients: NodeClient[] = [];
  for (let l = 0; l < legs; l++) {
    const leg = hub.createLeg(`leg${l}`);
    const client = new NodeClient(new ToneGenerator(700 + l * 10, 0.2));
    clients.push(client);
    await client.acceptAnswer(await leg.answer(await client.createOffer()));
    const a = (2 * l) % parties;
    // Barge: the heaviest mode (the leg is mixed into both parties).
    hub.setRoute(`leg${l}`, [`p${a}`, `p${a + 1}`]);
    hub.setRoute(`p${a}`, [`p${a + 1}`, `leg${l}`]);
    hub.setRoute(`p${a + 1}`, [`p${a}`, `leg${l}`]);
  }
  await new Promise((r) => setTimeout(r, seconds * 1000));
  const stats = hub.stats();
  for (const c of clients) c.close();
  await hub.close();
  return { calls, legs, tickMeanUs: stats.tickMeanUs, tickP95Us: stats.tickP95Us };
}
