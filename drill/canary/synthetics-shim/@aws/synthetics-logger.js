// The drill's local stand-in for the CloudWatch Synthetics module `@aws/synthetics-logger` (`SyntheticsLogger`
// before syn-nodejs-puppeteer-13.1): lines are kept for the drill's report (the runner prints them with the result)
// instead of going to CloudWatch Logs.

/** @type {Array<{ level: string, at: string, message: string }>} */
let lines = [];

function logger(level) {
  return (...parts) => {
    lines.push({ level, at: new Date().toISOString(), message: parts.map((p) => String(p)).join(' ') });
  };
}

module.exports = {
  debug: logger('DEBUG'),
  info: logger('INFO'),
  warn: logger('WARN'),
  error: logger('ERROR'),
  log: logger('INFO'),
  /** Not part of the Synthetics API: the lines logged so far. */
  drill: {
    lines() {
      return lines.map((l) => ({ ...l }));
    },
    reset() {
      lines = [];
    },
  },
};
