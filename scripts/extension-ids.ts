// The extension's fixed ids, for the build (wxt.config.ts) and the scripts and tests that name them.

/**
 * Public key that fixes the Chrome extension id of unpacked builds to
 * `lfflkhoalddonjjnoilhplmibgemjeal`, so policies (AudioCaptureAllowedUrls,
 * 3rdparty managed storage) and tests can name it. Store builds
 * (EARSHOT_STORE=1, set by `npm run zip`) leave it out: the store assigns the id.
 */
export const CHROME_DEV_KEY = 'MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAoxCtrlqXCyCJdc505xHZUG7lU/NCuoaISbfnN1RmSnT439drgABVjqGYh+zWc+jtEbDw+wqI1pqMiMkH29+7x3BF6Lt7E49KwWaTact9GZCugknQmXvCrRWnH8pO4Nr4Odd1gvNA8mshFkiLIhhTrEsXSqQ37Nwh2l6GaY9wqorwE7zkeNf7AdB6RimEonvumahlC50digx2AQ4QnRJsEHNGb/HZLbh1cfp3mAHKRn13QtvB5keQlp0JeyzkM0Q58YzracDWHJp2YhJ3y5v87Zu2wv/PYI3m3HyaeRE17nDyU1zmtsF80424PU5IUBIEGVkczicNW6Ex07q15WSXNwIDAQAB';
export const CHROME_DEV_ID = 'lfflkhoalddonjjnoilhplmibgemjeal';
export const GECKO_ID = 'earshot@earshot.dev';
