// Long stack traces in the e2e workers: an unhandled rejection from inside a
// browser driver (puppeteer's BiDi realm code once, in CI) is reported with its
// first frames only by default, which ended before the call that started it.
Error.stackTraceLimit = 60;
