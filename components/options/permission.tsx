import { useEffect, useState } from 'preact/hooks';
import { originPermissionPattern } from '../../lib/settings/origin';
import type { PortalPermissions } from '../../lib/settings/origin';

type Status = 'checking' | 'granted' | 'not-granted';

const STATUS_TEXT: Record<Status, string> = {
  checking: 'Checking access…',
  granted: 'Earshot is enabled on this portal.',
  'not-granted': 'Earshot is not enabled on this portal yet.',
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
    return <p class="note">Enter the portal address to enable Earshot on it.</p>;
  }

  const onClick = () => {
    const request = permissions.request(pattern);
    setAnswer(undefined);
    request.then(
      (granted) => {
        setStatus(granted ? 'granted' : 'not-granted');
        setAnswer(granted ? `Access granted for ${origin}.` : `Access was denied for ${origin}: Earshot cannot work in that portal.`);
      },
      (error: unknown) => setAnswer(`Could not ask for access: ${error instanceof Error ? error.message : String(error)}`),
    );
  };

  return (
    <div class="permission">
      <p role="status" aria-live="polite">
        {STATUS_TEXT[status]}
        {answer && <> {answer}</>}
      </p>
      {status !== 'granted' && (
        <button type="button" onClick={onClick}>
          Enable on this portal
        </button>
      )}
    </div>
  );
}
