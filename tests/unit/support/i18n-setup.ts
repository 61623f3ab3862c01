import en from '../../../public/_locales/en/messages.json';
import { setMessageSource } from '../../../components/i18n';
import { getMessageFromFile } from './messages-file';

// happy-dom has no browser i18n (WXT's fake browser throws): components read the English messages file, as the browser would.
setMessageSource(getMessageFromFile(en));
