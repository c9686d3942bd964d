// Files in and out of a node: drop files onto its terminal (or pick them)
// and they land in the shell's working directory, with a progress bar;
// download a file of the node by its path. The server only lets the
// session's owner do either.

import { ApiError, errorText } from './api.js';
import { t } from './i18n.js';

// filesURL is the API address of a file on a node.
export function filesURL(sessionId, node, path) {
  return `/api/sessions/${encodeURIComponent(sessionId)}/nodes/${encodeURIComponent(node)}/files?path=${encodeURIComponent(path)}`;
}

// putFile sends body (a Blob, or a string) to path on the node, calling
// onProgress(loaded, total) while it goes, and resolves to the server's
// answer ({node, path, size}). XMLHttpRequest, not fetch: only it reports
// upload progress.
export function putFile(sessionId, node, path, body, onProgress) {
  return new Promise((resolve, reject) => {
    const x = new XMLHttpRequest();
    x.open('PUT', filesURL(sessionId, node, path));
    x.setRequestHeader('Content-Type', 'application/octet-stream');
    x.setRequestHeader('Accept', 'application/json');
    if (onProgress) x.upload.onprogress = (ev) => onProgress(ev.loaded, ev.total || ev.loaded);
    x.onload = () => {
      let data = null;
      try {
        data = JSON.parse(x.responseText);
      } catch {
        // The status says enough.
      }
      if (x.status >= 200 && x.status < 300) {
        resolve(data);
        return;
      }
      const e = (data && data.error) || {};
      reject(new ApiError(x.status, e.code || 'internal', e.message || `${x.status} ${x.statusText}`, 0));
    };
    x.onerror = () => reject(new ApiError(0, 'network', '', 0));
    x.onabort = () => reject(new Error(t('uploadCancelled')));
    x.send(body);
  });
}

// Transfers adds uploads and downloads to a NodeTerminal's panel.
export class Transfers {
  constructor(nt) {
    this.nt = nt;
    this.busy = false;
    this.queue = [];
    const header = nt.header;
    this.bar = document.createElement('span');
    this.bar.className = 'term-transfer';
    this.bar.hidden = true;
    this.bar.dataset.testid = 'transfer';
    this.bar.innerHTML = '<span class="transfer-name"></span><progress max="1" value="0"></progress>';
    this.barName = this.bar.querySelector('.transfer-name');
    this.barProgress = this.bar.querySelector('progress');
    this.input = document.createElement('input');
    this.input.type = 'file';
    this.input.multiple = true;
    this.input.hidden = true;
    this.input.dataset.testid = 'upload-input';
    this.input.dataset.node = nt.node;
    this.input.addEventListener('change', () => {
      this.upload([...this.input.files]);
      this.input.value = '';
    });
    this.form = document.createElement('form');
    this.form.className = 'term-download';
    this.form.hidden = true;
    this.form.innerHTML = '<input type="text" spellcheck="false" autocomplete="off" data-testid="download-path">'
      + '<button type="submit" data-testid="download-file"></button><button type="button" class="cancel">×</button>';
    this.pathInput = this.form.querySelector('input');
    this.form.addEventListener('submit', (ev) => {
      ev.preventDefault();
      const path = this.pathInput.value.trim();
      if (path) this.download(path);
    });
    this.form.querySelector('.cancel').addEventListener('click', () => { this.form.hidden = true; });
    this.uploadButton = document.createElement('button');
    this.uploadButton.type = 'button';
    this.uploadButton.className = 'term-upload';
    this.uploadButton.dataset.testid = 'upload-files';
    this.uploadButton.dataset.node = nt.node;
    this.uploadButton.addEventListener('click', () => this.pick());
    header.append(this.bar, this.form, this.uploadButton, this.input);
    this.relabel();
    this.dropZone(nt.el);
  }

  relabel() {
    this.uploadButton.textContent = '⇪';
    this.uploadButton.title = t('uploadTitle', { node: this.nt.node });
    this.uploadButton.setAttribute('aria-label', this.uploadButton.title);
    this.pathInput.placeholder = t('downloadPlaceholder');
    this.pathInput.setAttribute('aria-label', t('downloadPlaceholder'));
    this.form.querySelector('button[type="submit"]').textContent = t('download');
  }

  // dropZone takes files dropped anywhere on the panel.
  dropZone(el) {
    let depth = 0;
    const hasFiles = (ev) => [...(ev.dataTransfer?.types || [])].includes('Files');
    el.addEventListener('dragenter', (ev) => {
      if (!hasFiles(ev)) return;
      ev.preventDefault();
      depth++;
      el.classList.add('dropping');
    });
    el.addEventListener('dragover', (ev) => {
      if (!hasFiles(ev)) return;
      ev.preventDefault();
      ev.dataTransfer.dropEffect = 'copy';
    });
    el.addEventListener('dragleave', () => {
      depth = Math.max(0, depth - 1);
      if (depth === 0) el.classList.remove('dropping');
    });
    el.addEventListener('drop', (ev) => {
      if (!hasFiles(ev)) return;
      ev.preventDefault();
      depth = 0;
      el.classList.remove('dropping');
      this.upload([...ev.dataTransfer.files]);
    });
  }

  // pick opens the browser's file picker.
  pick() {
    this.input.click();
  }

  // askDownload shows the path box.
  askDownload() {
    this.form.hidden = false;
    this.pathInput.focus();
    this.pathInput.select();
  }

  // upload sends files one after the other; each lands under its own name
  // in the shell's working directory.
  async upload(files) {
    this.queue.push(...files.filter((f) => f && f.name));
    if (this.busy) return;
    this.busy = true;
    try {
      while (this.queue.length > 0) {
        const f = this.queue.shift();
        this.show(f.name, 0);
        try {
          const res = await putFile(this.nt.sessionId, this.nt.node, f.name, f, (done, total) => this.show(f.name, total ? done / total : 0));
          this.nt.notice(t('uploaded', { name: f.name, path: res.path }));
        } catch (err) {
          this.nt.notice(t('uploadFailed', { name: f.name, why: errorText(err, t) }));
        }
      }
    } finally {
      this.busy = false;
      this.bar.hidden = true;
    }
  }

  show(name, fraction) {
    this.bar.hidden = false;
    this.barName.textContent = name;
    this.barProgress.value = fraction;
  }

  // download fetches a file of the node and hands it to the browser. The
  // answer is read here rather than by following a link, so that an error
  // (no such file) shows in the panel instead of replacing the page.
  async download(path) {
    const name = path.split('/').filter(Boolean).pop() || 'download';
    this.show(name, 0);
    try {
      const res = await fetch(filesURL(this.nt.sessionId, this.nt.node, path), { credentials: 'same-origin' });
      if (!res.ok) {
        let msg = `${res.status} ${res.statusText}`;
        try {
          msg = (await res.json()).error.message || msg;
        } catch {
          // Keep the status line.
        }
        throw new Error(msg);
      }
      const total = Number(res.headers.get('Content-Length')) || 0;
      const reader = res.body.getReader();
      const chunks = [];
      let got = 0;
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        chunks.push(value);
        got += value.length;
        if (total) this.show(name, got / total);
      }
      const url = URL.createObjectURL(new Blob(chunks, { type: 'application/octet-stream' }));
      const a = document.createElement('a');
      a.href = url;
      a.download = name;
      a.dataset.testid = 'download-link';
      document.body.append(a);
      a.click();
      a.remove();
      setTimeout(() => URL.revokeObjectURL(url), 60000);
      this.form.hidden = true;
      this.nt.notice(t('downloaded', { name, size: got }));
    } catch (err) {
      this.nt.notice(t('downloadFailed', { why: errorText(err, t) }));
    } finally {
      this.bar.hidden = true;
    }
  }
}
