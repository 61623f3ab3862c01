// @vitest-environment node
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

// The layers of eslint.config.js, checked through ESLint's Node API exactly as `npm run lint` runs them.
const eslint = new ESLint({ cwd: process.cwd() });

async function boundaryErrors(filePath: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath });
  return (result?.messages ?? []).filter((m) => m.ruleId === 'boundaries/dependencies').map((m) => m.message);
}

describe('import boundaries', () => {
  it.each([
    ['pbx', 'phone', 'lib/pbx/probe.ts', "import type { PhoneEngineApi } from '../phone/engine';\nexport type Probe = PhoneEngineApi;\n"],
    ['settings', 'coordinator', 'lib/settings/probe.ts', "import type { Coordinator } from '../coordinator/coordinator';\nexport type Probe = Coordinator;\n"],
    ['settings', 'phone', 'lib/settings/probe.ts', "import { PhoneEngine } from '../phone/engine';\nexport const probe = PhoneEngine;\n"],
    ['model', 'pbx', 'lib/monitor/probe.ts', "import { planStart } from '../pbx/plan';\nexport const probe = planStart;\n"],
    ['model', 'pbx', 'lib/contract/probe.ts', "import { resolveProfile } from '../pbx/profiles';\nexport const probe = resolveProfile;\n"],
    ['phone', 'portals', 'lib/phone/probe.ts', "import { IconManager } from '../portals/icons';\nexport const probe = IconManager;\n"],
    ['components', 'phone', 'components/monitor/probe.tsx', "import { PhoneEngine } from '../../lib/phone/engine';\nexport const probe = PhoneEngine;\n"],
    ['components', 'platform', 'components/options/probe.tsx', "import { createSettingsStore } from '../../lib/platform/settings-store';\nexport const probe = createSettingsStore;\n"],
    ['lab', 'phone', 'lab/pbx/probe.ts', "import { PhoneEngine } from '../../lib/phone/engine';\nexport const probe = PhoneEngine;\n"],
  ])('%s importing %s fails the lint (%s)', async (from, to, filePath, code) => {
    const errors = await boundaryErrors(filePath, code);
    expect(errors).toEqual([`There is no policy allowing dependencies from elements of type "${from}" to elements of type "${to}"`]);
  });

  it.each([
    ['lib/pbx/probe.ts', "import type { DtmfMethod } from '../contract/engine';\nexport type Probe = DtmfMethod;\n"],
    ['lib/phone/probe.ts', "import { planStart } from '../pbx/plan';\nexport const probe = planStart;\n"],
    ['lib/settings/probe.ts', "import type { EngineConfig } from '../contract/engine';\nexport type Probe = EngineConfig;\n"],
    ['lib/coordinator/probe.ts', "import { decide } from '../monitor/authority';\nexport const probe = decide;\n"],
    ['components/monitor/probe.tsx', "import { MODES } from '../../lib/monitor/modes';\nexport const probe = MODES;\n"],
    ['lab/pbx/probe.ts', "import { isExtension } from '../../lib/contract/extension';\nexport const probe = isExtension;\n"],
    ['entrypoints/probe.ts', "import { PhoneEngine } from '../lib/phone/engine';\nexport const probe = PhoneEngine;\n"],
  ])('a right-way import passes: %s', async (filePath, code) => {
    const [result] = await eslint.lintText(code, { filePath });
    expect(result?.messages).toEqual([]);
  });

  it('path aliases are refused below entrypoints/ (the rule could not resolve them)', async () => {
    const [result] = await eslint.lintText("import { PhoneEngine } from '@/lib/phone/engine';\nexport const probe = PhoneEngine;\n", {
      filePath: 'lib/pbx/probe.ts',
    });
    expect(result?.messages.map((m) => m.ruleId)).toEqual(['no-restricted-imports']);
  });
});
