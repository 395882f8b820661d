import { SMTPServer } from 'smtp-server';

export interface CaughtMail {
  to: string[];
  subject: string;
  text: string;
}

interface Waiter {
  /** Resolves the wait when its condition holds; says whether it did. */
  settle: () => boolean;
}

function splitMessage(raw: string): { headers: Map<string, string>; body: string } {
  const at = raw.indexOf('\r\n\r\n');
  const head = raw.slice(0, at).replace(/\r\n[ \t]+/g, ' ');
  const headers = new Map<string, string>();
  for (const line of head.split('\r\n')) {
    const colon = line.indexOf(':');
    if (colon > 0)
      headers.set(line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim());
  }
  return { headers, body: raw.slice(at + 4) };
}

function decodeBody(body: string, encoding: string | undefined): string {
  switch ((encoding ?? '7bit').toLowerCase()) {
    case 'quoted-printable':
      return Buffer.from(
        body
          .replace(/=\r\n/g, '')
          .replace(/=([0-9A-F]{2})/gi, (_m, hex: string) => String.fromCharCode(parseInt(hex, 16))),
        'latin1',
      ).toString('utf8');
    case 'base64':
      return Buffer.from(body.replace(/\s+/g, ''), 'base64').toString('utf8');
    default:
      return body;
  }
}

/** A local SMTP server that keeps every message it receives (plain-text mails). */
export class MailCatcher {
  readonly mails: CaughtMail[] = [];
  private readonly waiters: Waiter[] = [];
  private port = 0;
  private readonly server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    onData: (stream, session, callback) => {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        const { headers, body } = splitMessage(Buffer.concat(chunks).toString('utf8'));
        this.receive({
          to: session.envelope.rcptTo.map((rcpt) => rcpt.address.toLowerCase()),
          subject: headers.get('subject') ?? '',
          text: decodeBody(body, headers.get('content-transfer-encoding')),
        });
        callback();
      });
    },
  });

  static async start(): Promise<MailCatcher> {
    const catcher = new MailCatcher();
    await new Promise<void>((resolve, reject) => {
      catcher.server.once('error', reject);
      catcher.server.listen(0, '127.0.0.1', () => resolve());
    });
    const address = catcher.server.server.address();
    catcher.port = typeof address === 'object' && address ? address.port : 0;
    return catcher;
  }

  /** For `SMTP_URL`. */
  get url(): string {
    return `smtp://127.0.0.1:${this.port}`;
  }

  /** The first mail (already received or still to come) to `address` whose subject matches. */
  waitFor(address: string, subject: RegExp): Promise<CaughtMail> {
    return this.waitUntil(
      () =>
        this.mails.find(
          (mail) => mail.to.includes(address.toLowerCase()) && subject.test(mail.subject),
        ),
      `a mail to ${address} matching ${String(subject)}`,
    );
  }

  /** The `count`-th mail to `address`, once it has arrived. */
  waitForCount(address: string, count: number): Promise<CaughtMail> {
    return this.waitUntil(() => this.mailsTo(address)[count - 1], `${count} mails to ${address}`);
  }

  mailsTo(address: string): CaughtMail[] {
    return this.mails.filter((mail) => mail.to.includes(address.toLowerCase()));
  }

  stop(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  private receive(mail: CaughtMail): void {
    this.mails.push(mail);
    for (const waiter of [...this.waiters]) {
      if (waiter.settle()) this.waiters.splice(this.waiters.indexOf(waiter), 1);
    }
  }

  private waitUntil(
    find: () => CaughtMail | undefined,
    description: string,
    timeoutMs = 10_000,
  ): Promise<CaughtMail> {
    const found = find();
    if (found) return Promise.resolve(found);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters.splice(this.waiters.indexOf(waiter), 1);
        reject(new Error(`Timed out waiting for ${description}`));
      }, timeoutMs);
      const waiter: Waiter = {
        settle: () => {
          const mail = find();
          if (!mail) return false;
          clearTimeout(timer);
          resolve(mail);
          return true;
        },
      };
      this.waiters.push(waiter);
    });
  }
}

/** The `token` query parameter of the link in a mail. */
export function tokenFromMail(mail: CaughtMail): string {
  const match = /[?&]token=([^\s&]+)/.exec(mail.text);
  if (!match) throw new Error(`No token link in mail "${mail.subject}"`);
  return decodeURIComponent(match[1]);
}
