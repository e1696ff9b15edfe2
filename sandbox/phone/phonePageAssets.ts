/**
 * The `/phone` page's stylesheet and script, served as files (so a strict Content-Security-Policy with
 * `script-src 'self'` allows them). The script is small on purpose: live threads over Server-Sent Events, forms
 * sent with fetch, a filter box. Without it the page still works (forms post and redirect).
 */

export const PHONE_CSS = `
:root {
  --bg: #eef1f4;
  --ink: #1f2933;
  --muted: #5f6b7a;
  --bezel: #22262c;
  --screen: #ffffff;
  --line: #d8dee6;
  --received: #e9edf1;
  --sent: #2f6fde;
  --sent-ink: #ffffff;
  --lost: #fbeaea;
  --lost-ink: #8a2c2c;
  --accent: #2f6fde;
  --radius: 30px;
  --phone-width: 290px;
  --phone-height: 560px;
  font-family: system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif;
  color: var(--ink);
  background: var(--bg);
}
* { box-sizing: border-box; }
body { margin: 0; }
.top { display: flex; flex-wrap: wrap; gap: 1rem 2rem; align-items: end; justify-content: space-between;
  padding: 1.25rem 2rem 0.5rem; }
.top h1 { margin: 0 0 0.25rem; font-size: 1.4rem; font-weight: 600; }
.top p { margin: 0; max-width: 46rem; color: var(--muted); line-height: 1.45; }
.find { display: flex; flex-direction: column; gap: 0.25rem; font-size: 0.85rem; color: var(--muted); }
.find input { font: inherit; font-size: 1rem; padding: 0.45rem 0.7rem; border: 1px solid var(--line); border-radius: 8px;
  min-width: 16rem; color: var(--ink); background: #fff; }
.phones { display: flex; flex-wrap: wrap; gap: 1.5rem; padding: 1rem 2rem 2.5rem; align-items: flex-start; }
.phone { width: var(--phone-width); height: var(--phone-height); display: flex; flex-direction: column;
  background: var(--screen); border: 10px solid var(--bezel); border-radius: var(--radius); overflow: hidden;
  box-shadow: 0 8px 24px rgb(31 41 51 / 0.14); }
.phone[hidden] { display: none; }
.phone-top { padding: 0.9rem 1rem 0.6rem; border-bottom: 1px solid var(--line); text-align: center; position: relative; }
.phone-top::before { content: ''; display: block; width: 64px; height: 5px; border-radius: 3px; background: var(--line);
  margin: -0.35rem auto 0.55rem; }
.owner { display: block; font-weight: 600; font-size: 0.95rem; }
.number { display: block; font-size: 0.8rem; color: var(--muted); font-variant-numeric: tabular-nums; }
.badge { display: inline-block; margin-top: 0.3rem; font-size: 0.7rem; font-weight: 600; letter-spacing: 0.02em;
  color: var(--lost-ink); background: var(--lost); border-radius: 999px; padding: 0.1rem 0.55rem; }
.thread { list-style: none; margin: 0; padding: 0.75rem; flex: 1; overflow-y: auto; display: flex; flex-direction: column;
  gap: 0.5rem; font-size: 0.88rem; line-height: 1.35; }
.msg { display: flex; flex-direction: column; max-width: 85%; }
.msg.received, .msg.lost { align-self: flex-start; }
.msg.sent { align-self: flex-end; align-items: flex-end; }
.bubble { border-radius: 16px; padding: 0.45rem 0.7rem; overflow-wrap: anywhere; white-space: pre-wrap; }
.bubble p { margin: 0; }
.bubble img { display: block; max-width: 100%; border-radius: 10px; margin-bottom: 0.3rem; }
.received .bubble { background: var(--received); border-bottom-left-radius: 4px; }
.sent .bubble { background: var(--sent); color: var(--sent-ink); border-bottom-right-radius: 4px; }
.lost .bubble { background: var(--lost); color: var(--lost-ink); border-bottom-left-radius: 4px; }
.meta { font-size: 0.7rem; color: var(--muted); margin-top: 0.15rem; padding: 0 0.25rem; }
.empty { color: var(--muted); text-align: center; margin: auto; font-size: 0.85rem; }
.compose { border-top: 1px solid var(--line); padding: 0.5rem 0.6rem 0.6rem; display: flex; flex-direction: column;
  gap: 0.4rem; background: #fafbfc; }
.keywords { display: flex; gap: 0.35rem; }
.keywords button { font: inherit; font-size: 0.72rem; font-weight: 600; letter-spacing: 0.03em; padding: 0.15rem 0.55rem;
  border: 1px solid var(--line); border-radius: 999px; background: #fff; color: var(--muted); cursor: pointer; }
.attach { display: flex; gap: 0.4rem; align-items: center; font-size: 0.75rem; color: var(--muted); }
.attach select { font: inherit; font-size: 0.8rem; flex: 1; padding: 0.2rem; border: 1px solid var(--line);
  border-radius: 6px; background: #fff; color: var(--ink); }
.row { display: flex; gap: 0.4rem; align-items: flex-end; }
.row textarea { flex: 1; font: inherit; font-size: 0.88rem; resize: none; padding: 0.4rem 0.6rem;
  border: 1px solid var(--line); border-radius: 16px; color: var(--ink); }
.send { font: inherit; font-size: 0.85rem; font-weight: 600; padding: 0.45rem 0.8rem; border: 0; border-radius: 16px;
  background: var(--accent); color: #fff; cursor: pointer; }
button:focus-visible, textarea:focus-visible, select:focus-visible, input:focus-visible {
  outline: 2px solid var(--accent); outline-offset: 2px; }
.result { margin: 0; min-height: 1em; font-size: 0.72rem; color: var(--muted); }
.landline { margin: 0; padding: 0.8rem 1rem 1rem; font-size: 0.8rem; color: var(--muted); border-top: 1px solid var(--line);
  background: #fafbfc; }
.landline-phone { --bezel: #6b7280; }
.unknown-phone { --bezel: #4b5563; }
`;

export const PHONE_JS = `'use strict';
(() => {
  const phones = new Map(Array.from(document.querySelectorAll('.phone'), (el) => [el.dataset.key, el]));
  const toBottom = (thread) => { thread.scrollTop = thread.scrollHeight; };
  phones.forEach((el) => {
    const thread = el.querySelector('.thread');
    toBottom(thread);
    thread.querySelectorAll('img').forEach((img) => img.addEventListener('load', () => toBottom(thread), { once: true }));
  });

  // Follows the newest text unless the reader has scrolled up; pictures grow the thread when they load.
  async function refresh(key, follow) {
    const el = phones.get(key);
    if (!el) return;
    const response = await fetch('/phone/thread/' + encodeURIComponent(key), { headers: { Accept: 'text/html' } });
    if (!response.ok) return;
    const thread = el.querySelector('.thread');
    const stick = follow || thread.scrollHeight - thread.scrollTop - thread.clientHeight < 48;
    thread.innerHTML = await response.text();
    el.querySelector('.badge-slot').innerHTML =
      response.headers.get('X-Opted-Out') === 'true' ? '<span class="badge" data-opted-out>Opted out</span>' : '';
    if (!stick) return;
    toBottom(thread);
    thread.querySelectorAll('img').forEach((img) => img.addEventListener('load', () => toBottom(thread), { once: true }));
  }

  const events = new EventSource('/phone/events');
  events.addEventListener('change', (event) => {
    for (const key of JSON.parse(event.data).keys) refresh(key);
  });

  document.addEventListener('submit', async (event) => {
    const form = event.target.closest('form.compose');
    if (!form) return;
    event.preventDefault();
    const result = form.querySelector('.result');
    result.textContent = 'Sending…';
    try {
      const response = await fetch(form.action, {
        method: 'POST',
        body: new URLSearchParams(new FormData(form, event.submitter)),
        headers: { Accept: 'application/json' },
      });
      const answer = await response.json();
      result.textContent = answer.text;
      if (response.ok) {
        form.querySelector('textarea').value = '';
        form.querySelector('select').value = '';
      }
    } catch {
      result.textContent = 'The sandbox did not answer.';
    }
    refresh(form.dataset.key, true);
  });

  document.addEventListener('keydown', (event) => {
    if (event.key === 'Enter' && !event.shiftKey && event.target.matches('.compose textarea')) {
      event.preventDefault();
      event.target.form.requestSubmit();
    }
  });

  const find = document.getElementById('find');
  const fold = (text) => text.normalize('NFD').replace(/\\p{M}/gu, '').toLowerCase();
  find.addEventListener('input', () => {
    const query = fold(find.value.trim());
    phones.forEach((el) => { el.hidden = query !== '' && !el.dataset.search.includes(query); });
  });
})();
`;
