import { useEffect, useState } from 'preact/hooks';
import { originPermissionPattern } from '../../lib/settings/origin';
import type { PortalPermissions } from '../../lib/settings/origin';
import { t, type MessageKey } from '../i18n';

type Status = 'checking' | 'granted' | 'not-granted';

const STATUS_KEYS: Record<Status, MessageKey> = {
  checking: 'portalPermissionChecking',
  granted: 'portalPermissionGranted',
  'not-granted': 'portalPermissionMissing',
};

/**
 * Host permission for the portal: status and the "Enable on this portal"
 * button. The request is the first call of the click handler (no await
 * before it): browsers only prompt during the user's gesture.
 */
export function PortalPermission({ origin, permissions }: { origin: string | undefined; permissions: PortalPermissions }) {
  const pattern = origin ? originPermissionPattern(origin) : undefined;
  const [status, setStatus] = useState<Status>('checking');
  const [answer, setAnswer] = useState<string | undefined>(undefined);

  useEffect(() => {
    if (!pattern) return undefined;
    let live = true;
    const check = () =>
      void permissions.contains(pattern).then(
        (granted) => live && setStatus(granted ? 'granted' : 'not-granted'),
        () => live && setStatus('not-granted'),
      );
    check();
    const remove = permissions.onChange(check);
    return () => {
      live = false;
      remove();
    };
  }, [pattern, permissions]);

  if (!pattern || !origin) {
    return <p class="note">{t('portalPermissionNoOrigin')}</p>;
  }

  const onClick = () => {
    const request = permissions.request(pattern);
    setAnswer(undefined);
    request.then(
      (granted) => {
        setStatus(granted ? 'granted' : 'not-granted');
        setAnswer(granted ? t('portalPermissionAccepted', origin) : t('portalPermissionDenied', origin));
      },
      (error: unknown) => setAnswer(t('portalPermissionFailed', error instanceof Error ? error.message : String(error))),
    );
  };

  return (
    <div class="permission">
      <p role="status" aria-live="polite">
        {t(STATUS_KEYS[status])}
        {answer && <> {answer}</>}
      </p>
      {status !== 'granted' && (
        <button type="button" onClick={onClick}>
          {t('portalPermissionEnable')}
        </button>
      )}
    </div>
  );
}
