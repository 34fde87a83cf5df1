// Adds the reader's own time zone and a relative time ("2 h ago") after every <time datetime>.
// The page already says the time in UTC; without JavaScript nothing is lost.
(function () {
  "use strict";

  function relative(ms) {
    var minutes = Math.round(Math.abs(ms) / 60000);
    var text;
    if (minutes < 1) return "just now";
    if (minutes < 60) text = minutes + " min";
    else if (minutes < 48 * 60) text = Math.round(minutes / 60) + " h";
    else text = Math.round(minutes / 1440) + " days";
    return ms >= 0 ? text + " ago" : "in " + text;
  }

  function zoneIsUtc() {
    var zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
    return zone === "UTC" || zone === "Etc/UTC";
  }

  function localText(when, style) {
    var options = { hour: "2-digit", minute: "2-digit", timeZoneName: "short" };
    if (style !== "time") {
      options.day = "numeric";
      options.month = "short";
    }
    return when.toLocaleString(undefined, options);
  }

  function annotate() {
    var now = Date.now();
    var showLocal = !zoneIsUtc();
    document.querySelectorAll("time[datetime]").forEach(function (element) {
      var when = new Date(element.getAttribute("datetime"));
      if (isNaN(when.getTime())) return;
      var note = element.nextElementSibling;
      if (!note || !note.classList.contains("local-time")) {
        note = document.createElement("span");
        note.className = "local-time";
        element.insertAdjacentElement("afterend", note);
      }
      var parts = [];
      if (showLocal) parts.push(localText(when, element.dataset.style));
      parts.push(relative(now - when.getTime()));
      note.textContent = " (" + parts.join(", ") + ")";
    });
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", annotate);
  else annotate();
  setInterval(annotate, 60000);
})();
