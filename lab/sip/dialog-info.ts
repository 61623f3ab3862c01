/** What the dialog event package (RFC 4235) says about one extension. */
export interface DialogView {
  id: string;
  state: 'early' | 'confirmed' | 'terminated';
  direction: 'initiator' | 'recipient';
  remote?: { uri: string; display: string };
}

const escape = (s: string) =>
  s.replace(/[<>&"']/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&apos;' })[c] ?? c);

/** A full-state dialog-info document (application/dialog-info+xml). */
export function dialogInfoXml(entity: string, version: number, dialog: DialogView | undefined): string {
  const body = dialog
    ? `  <dialog id="${escape(dialog.id)}" direction="${dialog.direction}">
    <state>${dialog.state}</state>${
      dialog.remote
        ? `
    <remote>
      <identity display="${escape(dialog.remote.display)}">${escape(dialog.remote.uri)}</identity>
      <target uri="${escape(dialog.remote.uri)}"/>
    </remote>`
        : ''
    }
  </dialog>
`
    : '';
  return `<?xml version="1.0" encoding="UTF-8"?>
<dialog-info xmlns="urn:ietf:params:xml:ns:dialog-info" version="${version}" state="full" entity="${escape(entity)}">
${body}</dialog-info>
`;
}
