// auditor serve: the self-check page. Each chosen or dropped file is sent on its own to
// POST check; the answer holds the findings as HTML (made and escaped by the server) and the
// downloads as base64, turned here into links to in-memory blobs. Nothing is stored anywhere.
"use strict";

(() => {
  const form = document.getElementById("upload");
  const input = document.getElementById("files");
  const drop = document.getElementById("drop");
  const profile = document.getElementById("profile");
  const results = document.getElementById("results");
  const notice = document.getElementById("notice");
  const clear = document.getElementById("clear");
  const MB = 1024 * 1024;
  const limits = {
    files: Number(form.dataset.maxFiles),
    fileMb: Number(form.dataset.maxFileMb),
    jobs: Math.max(1, Number(form.dataset.jobs) || 1),
    accept: form.dataset.accept.split(","),
  };
  const DOWNLOADS = {
    annotated: { ".docx": "标注副本（Word，含批注）", ".pdf": "标注副本（PDF，含高亮）", ".html": "标注副本（网页）" },
    json: "核对结果（JSON）",
    xlsx: "问题清单（Excel）",
  };
  const queue = [];
  let running = 0;
  let blobs = [];

  function element(tag, className, text) {
    const node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function say(message) {
    notice.textContent = message;
    notice.hidden = !message;
  }

  function suffixOf(name) {
    const dot = name.lastIndexOf(".");
    return dot < 0 ? "" : name.slice(dot).toLowerCase();
  }

  function card(file) {
    const article = element("article", "result pending");
    const head = element("header");
    head.append(element("h2", "name", file.name), element("span", "status", "排队中…"));
    article.append(head, element("div", "downloads"), element("div", "report"));
    results.append(article);
    clear.hidden = false;
    return article;
  }

  function setStatus(article, state, text) {
    article.className = "result " + state;
    article.querySelector(".status").textContent = text;
  }

  function fail(article, message) {
    setStatus(article, "failed", "未能核对");
    article.querySelector(".report").replaceChildren(element("p", "message", message));
  }

  function add(files) {
    say("");
    if (files.length > limits.files) {
      say(`一次最多 ${limits.files} 个文件，这次选了 ${files.length} 个：请分批上传。`);
      return;
    }
    for (const [i, file] of files.entries()) {
      const article = card(file);
      if (i === 0) article.scrollIntoView({ behavior: "smooth", block: "start" });
      if (!limits.accept.includes(suffixOf(file.name))) {
        fail(article, `${file.name}：不支持这种文件，请上传 PDF、Word（.docx）、Excel（.xlsx）、文本（.txt）或网页（.html）文件。`);
      } else if (file.size > limits.fileMb * MB) {
        fail(article, `${file.name}：文件太大（${(file.size / MB).toFixed(1)} MB），每个文件不超过 ${limits.fileMb} MB。`);
      } else {
        queue.push({ file, article, profile: profile.value });
      }
    }
    next();
  }

  function next() {
    while (running < limits.jobs && queue.length) {
      const item = queue.shift();
      running += 1;
      check(item).finally(() => {
        running -= 1;
        next();
      });
    }
  }

  async function check({ file, article, profile: chosen }) {
    setStatus(article, "pending", "正在核对…");
    const body = new FormData();
    body.append("file", file, file.name);
    body.append("profile", chosen);
    let response;
    let answer = null;
    try {
      response = await fetch("check", { method: "POST", body });
    } catch (error) {
      fail(article, "无法连接到自查服务：请确认它仍在运行，然后重试。");
      return;
    }
    try {
      answer = await response.json();
    } catch (error) {
      answer = null;
    }
    if (!response.ok || !answer || !answer.results) {
      const why = answer && answer.error ? answer.error : `服务器没有给出结果（HTTP ${response.status}）`;
      fail(article, why);
      return;
    }
    show(article, answer.results[0], chosen);
  }

  function profileLabel(name, chosen) {
    const option = Array.from(profile.options).find((o) => o.value === name);
    const label = option ? option.textContent : name;
    return `评分口径：${label}${chosen ? "" : "（按报告所属地区）"}`;
  }

  function show(article, result, chosen) {
    if (result.status !== "ok") {
      fail(article, result.error || "未能核对");
      return;
    }
    const counts = result.counts || {};
    const errors = counts.error || 0;
    const warnings = counts.warning || 0;
    const state = errors ? "has-errors" : warnings ? "has-warnings" : "clean";
    setStatus(article, state, errors || warnings ? "核对完成" : "核对完成，未发现问题");
    const head = article.querySelector("header");
    const tally = element("span", "tally");
    tally.append(
      element("span", "count error" + (errors ? "" : " zero"), `错误 ${errors}`),
      element("span", "count warning" + (warnings ? "" : " zero"), `警告 ${warnings}`),
    );
    head.append(tally);
    if (result.profile) head.append(element("span", "profile", profileLabel(result.profile, chosen)));
    const links = article.querySelector(".downloads");
    for (const item of result.downloads || []) {
      links.append(item.data ? download(item) : element("span", "message", `无法生成${item.kind === "annotated" ? "标注副本" : "下载文件"}：${item.error}`));
    }
    // the findings as the HTML report shows them; every text in it was escaped by the server
    article.querySelector(".report").innerHTML = result.html;
  }

  function download(item) {
    const link = element("a", "button download");
    const label = DOWNLOADS[item.kind];
    link.textContent = "下载" + (typeof label === "object" ? label[suffixOf(item.name)] || "标注副本" : label);
    const raw = atob(item.data);
    const bytes = new Uint8Array(raw.length);
    for (let i = 0; i < raw.length; i += 1) bytes[i] = raw.charCodeAt(i);
    link.href = URL.createObjectURL(new Blob([bytes], { type: item.media }));
    link.download = item.name;
    link.dataset.kind = item.kind;
    blobs.push(link.href);
    return link;
  }

  input.addEventListener("change", () => {
    add(Array.from(input.files));
    input.value = ""; // the same file may be chosen again after it is corrected
  });
  for (const name of ["dragenter", "dragover"]) {
    drop.addEventListener(name, (event) => {
      event.preventDefault();
      drop.classList.add("over");
    });
  }
  drop.addEventListener("dragleave", () => drop.classList.remove("over"));
  drop.addEventListener("drop", (event) => {
    event.preventDefault();
    drop.classList.remove("over");
    add(Array.from(event.dataTransfer.files));
  });
  // a file dropped beside the box must not make the browser leave the page to open it
  window.addEventListener("dragover", (event) => event.preventDefault());
  window.addEventListener("drop", (event) => event.preventDefault());
  clear.addEventListener("click", () => {
    results.replaceChildren();
    blobs.forEach((url) => URL.revokeObjectURL(url));
    blobs = [];
    clear.hidden = true;
    say("");
  });
})();
