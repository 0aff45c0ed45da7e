// Live count of the rows an export would hold.
(function () {
  var form = document.getElementById("export");
  var out = document.getElementById("count");
  if (!form || !out) return;
  var timer;
  function update() {
    var q = new URLSearchParams(new FormData(form)).toString();
    fetch("/api/count?" + q).then(function (r) { return r.json(); }).then(function (d) {
      out.textContent = d.rows === undefined ? "?" : d.rows;
    });
  }
  form.addEventListener("input", function () { clearTimeout(timer); timer = setTimeout(update, 200); });
})();
