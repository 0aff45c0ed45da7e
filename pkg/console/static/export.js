// The export form: "all" and the single areas exclude each other, and the
// count of matching rows follows what is ticked and typed.
(function () {
  var form = document.getElementById("export");
  var out = document.getElementById("count");
  var why = document.getElementById("count-error");
  if (!form || !out) return;
  var all = form.querySelector('input[name="areas"][value="all"]');
  var areas = Array.prototype.filter.call(form.querySelectorAll('input[name="areas"]'), function (b) { return b !== all; });
  form.addEventListener("change", function (e) {
    if (e.target === all && all.checked) areas.forEach(function (b) { b.checked = false; });
    if (areas.indexOf(e.target) >= 0) all.checked = !areas.some(function (b) { return b.checked; });
  });
  var timer, seq = 0;
  function update() {
    var mine = ++seq;
    var q = new URLSearchParams(new FormData(form)).toString();
    fetch("/api/count?" + q, { credentials: "same-origin" }).then(function (r) { return r.json(); }).then(function (d) {
      if (mine !== seq) return;
      out.textContent = d.rows === undefined ? "?" : d.rows;
      why.textContent = d.error || "";
    }).catch(function () { if (mine === seq) { out.textContent = "?"; } });
  }
  function later() { clearTimeout(timer); timer = setTimeout(update, 150); }
  form.addEventListener("input", later);
  form.addEventListener("change", later);
})();
