// The operator console: a static page over the JSON API (/api/...). No build step; plain DOM.
'use strict';

const view = document.getElementById('view');

async function api(path, options) {
  const res = await fetch('/api' + path, Object.assign({headers: {'X-IEP-Console': '1'}}, options || {}));
  if (res.status === 401) {
    window.location.href = '/login';
    throw new Error('signed out');
  }
  const body = await res.json();
  if (!res.ok && res.status !== 409) {
    throw new Error(body.error || ('HTTP ' + res.status));
  }
  return body;
}

function el(tag, attrs, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (k === 'onclick' || k === 'onsubmit') { e[k] = v; } else { e.setAttribute(k, v); }
  }
  for (const c of children) {
    if (c === null || c === undefined) continue;
    e.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return e;
}

function table(headers, rows, id) {
  const t = el('table', id ? {id} : {});
  t.append(el('tr', {}, ...headers.map(h => el('th', {}, h))));
  for (const r of rows) t.append(el('tr', {}, ...r.map(c => el('td', {}, c))));
  return t;
}

function card(label, value, warn, id) {
  return el('div', {class: 'card' + (warn ? ' warn' : ''), id: id || ''}, el('div', {}, label),
            el('div', {class: 'n'}, value));
}

function show(...nodes) {
  view.replaceChildren(...nodes);
}

function counts(map) {
  return Object.entries(map || {}).map(([k, v]) => k + ' ' + v).join(', ') || 'none';
}

async function overview() {
  const o = await api('/overview');
  const holds = Object.values(o.holdsOpen).reduce((a, b) => a + b, 0);
  show(el('h2', {}, 'Overview'),
    el('div', {class: 'cards'},
      card('Messages, last hour', Object.values(o.lastHour).reduce((a, b) => a + b, 0), false, 'card-hour'),
      card('Outbox pending', o.outbox.pending, o.outbox.oldestUndeliveredSeconds >= 60, 'card-pending'),
      card('Oldest undelivered DFT', o.outbox.oldestUndeliveredSeconds + ' s', o.outbox.oldestUndeliveredSeconds >= 60),
      card('Parked DFTs', o.outbox.parked, o.outbox.parked > 0, 'card-parked'),
      card('Open holds', holds, holds > 0, 'card-holds')),
    el('p', {}, 'Last hour by outcome: ' + counts(o.lastHour)),
    el('p', {}, 'Last 24 hours by outcome: ' + counts(o.lastDay)),
    el('p', {}, 'Since the engine started: ' + counts(o.sinceStart)),
    el('p', {}, 'Holds by reason: ' + counts(o.holdsOpen)),
    el('p', {}, 'Rules: ' + o.rules),
    el('h2', {}, 'Last errors (AE/AR)'),
    table(['Received', 'MSH-10', 'Type', 'ACK', 'ERR'], o.lastErrors.map(m => [m.receivedAt,
      el('a', {href: '#message/' + m.id}, m.controlId), m.type, m.ack,
      m.errorCode + ' ' + m.errorLocation + ' ' + m.errorText]), 'errors'));
}

let lastSearch = {};

async function messages(params) {
  const f = el('form', {class: 'search', id: 'search'});
  const fields = [['controlId', 'Control ID (MSH-10)'], ['order', 'Order number'], ['patient', 'Patient key'],
                  ['from', 'From (yyyy-mm-dd)'], ['to', 'To (yyyy-mm-dd)'], ['type', 'Type (e.g. ORU)'],
                  ['outcome', 'Outcome']];
  for (const [name, label] of fields) {
    f.append(el('label', {}, label, el('input', {name, id: 'q-' + name, value: params[name] || ''})));
  }
  f.append(el('button', {type: 'submit', id: 'search-go'}, 'Search'));
  f.onsubmit = (ev) => {
    ev.preventDefault();
    const p = {};
    for (const [name] of fields) { const v = f.elements[name].value.trim(); if (v) p[name] = v; }
    p.page = 0;
    lastSearch = p;
    messages(p);
  };
  const qs = new URLSearchParams(Object.assign({size: 25}, params)).toString();
  let results;
  try {
    const r = await api('/messages?' + qs);
    const page = r.page;
    results = [table(['Received', 'MSH-10', 'Type', 'Outcome', 'ACK'], r.rows.map(m => [m.receivedAt,
        el('a', {href: '#message/' + m.id, class: 'msg'}, m.controlId), m.type, m.outcome, m.ack]), 'results'),
      el('p', {}, 'Page ' + (page + 1) + ' ',
        page > 0 ? el('button', {id: 'prev', onclick: () => messages(Object.assign({}, params, {page: page - 1}))}, 'Previous') : null,
        r.hasNext ? el('button', {id: 'next', onclick: () => messages(Object.assign({}, params, {page: page + 1}))}, 'Next') : null)];
  } catch (e) {
    results = [el('p', {class: 'error', id: 'search-error'}, e.message)];
  }
  show(el('h2', {}, 'Messages'), f, ...results);
}

async function message(id) {
  const m = await api('/messages/' + id);
  show(el('h2', {}, 'Message ' + m.controlId + ' (' + m.type + ')'),
    el('p', {id: 'msg-summary'}, 'Received ' + m.receivedAt + ' from ' + m.sender + ' — outcome ' + m.outcome
       + ', answered ' + (m.ack || 'nothing') + (m.errorCode ? ' ERR ' + m.errorCode + ' ' + m.errorLocation + ': ' + m.errorText : '')),
    el('h2', {}, 'Raw message'),
    el('pre', {id: 'raw'}, m.segments.length ? m.segments.join('\n') : (m.rawNote || '')),
    m.ackMessage ? el('h2', {}, 'ACK (rebuilt from the stored answer)') : null,
    m.ackMessage ? el('pre', {id: 'ack'}, m.ackMessage.join('\n')) : null,
    el('h2', {}, 'Decision (as `iep explain` gives it)'),
    el('pre', {id: 'explanation'}, m.explanation || ''),
    el('h2', {}, 'Charge lines'),
    table(['Transaction', 'CPT', 'Kind', 'Units', 'Modifiers', 'Status', 'DFT'], m.lines.map(l => [l.transactionId,
      l.cpt, l.kind, l.units, l.modifiers.join(','), l.status, l.dft]), 'lines'),
    el('h2', {}, 'Holds'),
    table(['Hold', 'Reason', 'Status', 'Since'], m.holds.map(h => [h.id, h.reason + ': ' + h.reasonText, h.status, h.since]), 'msg-holds'),
    el('h2', {}, 'DFTs and billing\'s answers'),
    table(['Outbox', 'MSH-10', 'Status', 'Attempts', 'Billing answer', 'Delivered'], m.dfts.map(d => [d.id,
      d.controlId, d.status, d.attempts, d.billingAnswer || '', d.deliveredAt || '']), 'dfts'));
}

function actionCell(kind, id, actions) {
  const reason = el('input', {class: 'reason', id: kind + '-reason-' + id, placeholder: 'reason (required)'});
  const status = el('span', {id: kind + '-status-' + id});
  const buttons = actions.map(([action, label]) => el('button', {type: 'button', id: kind + '-' + action + '-' + id,
    onclick: async () => {
      if (!reason.value.trim()) {
        status.className = 'error';
        status.textContent = 'A reason is required.';
        return;
      }
      try {
        const r = await api('/' + kind + '/' + id + '/' + action, {method: 'POST',
          headers: {'Content-Type': 'application/json', 'X-IEP-Console': '1'},
          body: JSON.stringify({reason: reason.value})});
        status.className = r.done ? 'ok' : 'error';
        status.textContent = r.message;
      } catch (e) {
        status.className = 'error';
        status.textContent = e.message;
      }
    }}, label));
  return el('span', {}, reason, ...buttons, ' ', status);
}

async function holds() {
  const hs = await api('/holds');
  show(el('h2', {}, 'Open holds'),
    hs.length ? table(['Hold', 'Reason', 'Order', 'CPT', 'Patient key', 'Since', 'Message', 'Action'], hs.map(h => [h.id,
      h.reason + ': ' + h.reasonText, h.orderKey, h.cpt, h.patientKey, h.since,
      el('a', {href: '#message/' + h.messageId}, 'open'),
      actionCell('holds', h.id, [['release', 'Release'], ['discard', 'Discard']])]), 'holds')
      : el('p', {id: 'no-holds'}, 'No open holds.'));
}

async function outbox() {
  const items = await api('/outbox');
  show(el('h2', {}, 'Outbox (undelivered DFTs)'),
    items.length ? table(['Outbox', 'MSH-10', 'Order', 'Status', 'Attempts', 'Next attempt', 'Billing answer', 'Action'],
      items.map(i => [i.id, i.controlId, i.orderKey, i.status, i.attempts, i.nextAttemptAt || '-', i.lastAnswer || '',
        i.status === 'PARKED' ? actionCell('outbox', i.id, [['retry', 'Retry'], ['discard', 'Discard']]) : '']), 'outbox')
      : el('p', {id: 'no-outbox'}, 'Nothing waiting for billing.'));
}

async function audit() {
  const rows = await api('/audit');
  show(el('h2', {}, 'Audit trail'),
    table(['When', 'Who', 'What', 'Target', 'Why', 'Result'], rows.map(a => [a.at, a.actor, a.action, a.target,
      a.reason, a.result]), 'audit'));
}

async function route() {
  const hash = window.location.hash.replace(/^#/, '') || 'overview';
  const [page, arg] = hash.split('/');
  for (const a of document.querySelectorAll('nav a')) {
    a.classList.toggle('active', a.id === 'nav-' + (page === 'message' ? 'messages' : page));
  }
  try {
    if (page === 'messages') await messages(lastSearch);
    else if (page === 'message') await message(arg);
    else if (page === 'holds') await holds();
    else if (page === 'outbox') await outbox();
    else if (page === 'audit') await audit();
    else await overview();
  } catch (e) {
    if (e.message !== 'signed out') show(el('p', {class: 'error'}, e.message));
  }
}

document.getElementById('signout').onclick = async () => {
  await fetch('/logout', {method: 'POST', headers: {'X-IEP-Console': '1'}});
  window.location.href = '/login';
};
window.addEventListener('hashchange', route);
route();
