import { t } from '../i18n';

/** Props of {@link LevelMeter}. */
export interface LevelMeterProps {
  label: string;
  /** 0..1 */
  value: number;
}

/** An audio level bar, exposed to screen readers as a meter in percent. */
export function LevelMeter({ label, value }: LevelMeterProps) {
  const percent = Math.round(Math.min(1, Math.max(0, Number.isFinite(value) ? value : 0)) * 100);
  return (
    <div class="earshot-meter">
      <span class="earshot-label" aria-hidden="true">
        {label}
      </span>
      <div
        class="earshot-meter-track"
        role="meter"
        aria-label={label}
        aria-valuemin={0}
        aria-valuemax={100}
        aria-valuenow={percent}
        aria-valuetext={t('percentValue', percent)}
      >
        <div class="earshot-meter-fill" style={{ width: `${percent}%` }} />
      </div>
    </div>
  );
}
