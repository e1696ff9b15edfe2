/**
 * The `/phone` page: a row of simulated patient phones, each with the texts it received from the practice and the
 * ones it sent, a reply box (keywords included) and a picture to attach. Plain server-rendered HTML; phone.js only
 * refreshes a thread when the event stream says it changed, and sends the form without reloading.
 */
import type { MessageRecord } from './messageRecord';
import { formatForDisplay } from './phoneNumbers';
import type { SimulatedPhone } from './rosterPhones';
import type { SampleImage } from './sampleImages';

/** What became of the webhook for a text a phone sent. */
export type WebhookState = 'pending' | 'ok' | 'failed' | 'none';

export interface PageModel {
  phones: readonly SimulatedPhone[];
  practiceNumber: string;
  samples: ReadonlyMap<string, SampleImage>;
  /** The phone's texts, oldest first. */
  threadOf: (phone: SimulatedPhone) => readonly MessageRecord[];
  optedOut: (phone: SimulatedPhone) => boolean;
  webhookState: (sid: string) => WebhookState;
  /** Where a browser loads a media item from, and what it shows. */
  mediaView: (message: MessageRecord, index: number) => { src: string; alt: string };
}

const MAX_SHOWN = 200;

/** Escapes text for HTML element content and quoted attributes. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`);
}

const time = (iso: string): string => {
  const date = new Date(iso);
  return `<time datetime="${escapeHtml(iso)}">${date.toLocaleTimeString('en-US', { hour: 'numeric', minute: '2-digit' })}</time>`;
};

const searchText = (phone: SimulatedPhone): string =>
  [...phone.owners, phone.number, phone.number.slice(2)]
    .join(' ')
    .normalize('NFD')
    .replace(/\p{M}/gu, '')
    .toLowerCase();

const WEBHOOK_NOTE: Record<WebhookState, string> = {
  pending: 'Sending to ChartText…',
  ok: 'Received by ChartText',
  failed: 'ChartText did not answer; kept in Twilio’s log',
  none: 'No webhook configured',
};

function renderMessage(message: MessageRecord, model: PageModel): string {
  const sentByPhone = message.direction === 'inbound';
  const pictures = message.media
    .map((_media, index) => {
      const { src, alt } = model.mediaView(message, index);
      return `<img src="${escapeHtml(src)}" alt="${escapeHtml(alt)}">`;
    })
    .join('');
  const text = message.body === '' ? '' : `<p dir="auto">${escapeHtml(message.body)}</p>`;
  let kind = sentByPhone ? 'sent' : 'received';
  let note = time(message.dateSent ?? message.dateCreated);
  if (sentByPhone) {
    note += ` · ${WEBHOOK_NOTE[model.webhookState(message.sid)]}`;
  } else if (message.status === 'undelivered' || message.status === 'failed') {
    kind = 'lost';
    note += ` · Not delivered: ${escapeHtml(String(message.errorCode ?? ''))} ${escapeHtml(message.errorMessage ?? '')}`;
  }
  return `<li class="msg ${kind}"><div class="bubble">${pictures}${text}</div><span class="meta">${note}</span></li>`;
}

/** The list items of one phone's thread. */
export function renderThread(phone: SimulatedPhone, model: PageModel): string {
  const shown = model.threadOf(phone).filter((message) => message.direction === 'inbound' || isOnPhone(message));
  if (shown.length === 0) return '<li class="empty">No texts yet</li>';
  return shown
    .slice(-MAX_SHOWN)
    .map((message) => renderMessage(message, model))
    .join('');
}

/** Whether an outbound text has reached (or finally failed to reach) the phone. */
function isOnPhone(message: MessageRecord): boolean {
  return ['sent', 'delivered', 'undelivered', 'failed'].includes(message.status);
}

function renderComposer(phone: SimulatedPhone, model: PageModel): string {
  if (phone.kind === 'landline') {
    return '<p class="landline">A landline: it cannot receive or send texts. Twilio reports texts to it as undelivered (30006).</p>';
  }
  const options = [...model.samples.values()]
    .map((sample) => `<option value="${escapeHtml(sample.name)}">${escapeHtml(sample.label)}</option>`)
    .join('');
  return `<form class="compose" method="post" action="/phone/send" data-key="${phone.key}">
  <input type="hidden" name="phone" value="${phone.key}">
  <div class="keywords" aria-label="Keywords">
    <button type="submit" name="keyword" value="STOP">STOP</button>
    <button type="submit" name="keyword" value="START">START</button>
    <button type="submit" name="keyword" value="HELP">HELP</button>
  </div>
  <label class="attach"><span>Picture</span><select name="picture"><option value="">None</option>${options}</select></label>
  <div class="row">
    <textarea name="body" rows="2" placeholder="Text message" aria-label="Text message from ${escapeHtml(phone.owners.join(' and '))}"></textarea>
    <button type="submit" class="send">Send</button>
  </div>
  <p class="result" role="status"></p>
</form>`;
}

function renderPhone(phone: SimulatedPhone, model: PageModel): string {
  const owners = phone.owners.join(' · ');
  const badge = model.optedOut(phone) ? '<span class="badge" data-opted-out>Opted out</span>' : '';
  const kind = phone.kind === 'landline' ? ' landline-phone' : phone.kind === 'unknown' ? ' unknown-phone' : '';
  return `<article class="phone${kind}" data-key="${phone.key}" data-search="${escapeHtml(searchText(phone))}" aria-label="${escapeHtml(owners)}">
  <header class="phone-top">
    <span class="owner">${escapeHtml(owners)}</span>
    <span class="number">${escapeHtml(formatForDisplay(phone.number))}${phone.owners.length > 1 ? ' · shared' : ''}</span>
    <span class="badge-slot">${badge}</span>
  </header>
  <ol class="thread" tabindex="0" aria-label="Texts on ${escapeHtml(owners)}’s phone">${renderThread(phone, model)}</ol>
  ${renderComposer(phone, model)}
</article>`;
}

/** The whole page. */
export function renderPhonePage(model: PageModel): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Patient phones · ChartText sandbox</title>
<link rel="stylesheet" href="/phone/phone.css">
<script src="/phone/phone.js" defer></script>
</head>
<body>
<header class="top">
  <div>
    <h1>Patient phones</h1>
    <p>Simulated phones of the sandbox patients. Texts from the practice number
      <strong>${escapeHtml(formatForDisplay(model.practiceNumber))}</strong> appear on them; what you send goes to
      ChartText as a signed Twilio webhook.</p>
  </div>
  <label class="find"><span>Find a phone</span><input type="search" id="find" placeholder="Name or number" autocomplete="off"></label>
</header>
<main class="phones">
${model.phones.map((phone) => renderPhone(phone, model)).join('\n')}
</main>
</body>
</html>`;
}
