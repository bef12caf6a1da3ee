// Signs the registered PDF with NCALayer (the NCA's signing application on the user's computer) and hands the
// detached CMS to the server, which checks it. Messages come from the form's data-msg-* attributes, translated
// by the server. No other address than NCALayer's (the CSP's connect-src allows exactly it).
(function () {
  "use strict";

  function toBase64(buffer) {
    var bytes = new Uint8Array(buffer);
    var chunks = [];
    for (var i = 0; i < bytes.length; i += 0x8000) {
      chunks.push(String.fromCharCode.apply(null, bytes.subarray(i, i + 0x8000)));
    }
    return btoa(chunks.join(""));
  }

  function say(text, isError) {
    var status = document.getElementById("ncalayer-status");
    if (!status) return;
    status.hidden = false;
    status.textContent = text;
    status.className = "notification" + (isError ? " notification--error" : "");
    status.setAttribute("role", isError ? "alert" : "status");
  }

  // One request to NCALayer: resolves with the base64 CMS, rejects with "not-running", "cancelled" or a message.
  function signWithNcaLayer(url, base64) {
    return new Promise(function (resolve, reject) {
      var socket;
      var opened = false;
      try {
        socket = new WebSocket(url);
      } catch (e) {
        reject("not-running");
        return;
      }
      socket.onopen = function () {
        opened = true;
        socket.send(JSON.stringify({
          module: "kz.gov.pki.knca.commonUtils",
          method: "createCAdESFromBase64",
          args: ["PKCS12", "SIGNATURE", base64, false]
        }));
      };
      socket.onerror = function () { if (!opened) reject("not-running"); };
      socket.onclose = function () { reject(opened ? "closed" : "not-running"); };
      socket.onmessage = function (event) {
        var answer;
        try { answer = JSON.parse(event.data); } catch (e) { return; }
        if (answer.code === undefined) return; // NCALayer greets with its version first
        socket.onclose = null;
        socket.close();
        if (String(answer.code) === "200" && answer.responseObject) resolve(answer.responseObject);
        else if (String(answer.code) === "500") reject("cancelled");
        else reject(answer.message || String(answer.code));
      };
    });
  }

  function onSubmit(event) {
    var form = event.currentTarget;
    if (form.elements.cms.value) return; // already signed: let it go to the server
    event.preventDefault();
    var button = form.querySelector("button");
    button.disabled = true;
    say(form.dataset.msgWorking, false);
    fetch(form.dataset.contentUrl, { credentials: "same-origin" })
      .then(function (response) {
        if (!response.ok) throw new Error(String(response.status));
        return response.arrayBuffer();
      })
      .then(function (buffer) { return signWithNcaLayer(form.dataset.ncalayerUrl, toBase64(buffer)); })
      .then(function (cms) {
        form.elements.cms.value = cms;
        say(form.dataset.msgSending, false);
        form.submit();
      })
      .catch(function (reason) {
        button.disabled = false;
        if (reason === "not-running" || reason === "closed") say(form.dataset.msgNotRunning, true);
        else if (reason === "cancelled") say(form.dataset.msgCancelled, true);
        else say(form.dataset.msgFailed + " " + (reason && reason.message ? reason.message : reason), true);
      });
  }

  document.querySelectorAll("form[data-ncalayer-sign]").forEach(function (form) {
    form.addEventListener("submit", onSubmit);
  });
})();
