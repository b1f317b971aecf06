// Funding dashboard charts. Data comes from the page's json_script block
// (no inline scripts: the CSP forbids them). Amounts arrive as decimal strings;
// they become floats here only to draw bars.
(function () {
  "use strict";
  var node = document.getElementById("funding-data");
  if (!node || typeof Chart === "undefined") {
    return;
  }
  var data = JSON.parse(node.textContent);
  var t = data.totals;
  var totals = document.getElementById("funding-chart");
  if (totals) {
    new Chart(totals, {
      type: "bar",
      data: {
        labels: [data.labels.requirement, data.labels.committed, data.labels.received, data.labels.gap],
        datasets: [{
          label: "USD",
          data: [t.requirement, t.committed, t.received, t.gap].map(parseFloat),
          backgroundColor: ["#6c757d", "#0d6efd", "#198754", "#dc3545"]
        }]
      },
      options: { plugins: { legend: { display: false } }, animation: false }
    });
  }
  var earmarks = document.getElementById("earmark-chart");
  if (earmarks) {
    new Chart(earmarks, {
      type: "bar",
      data: {
        labels: data.earmarks.map(function (e) { return e.label; }),
        datasets: [
          { label: data.labels.committed, data: data.earmarks.map(function (e) { return parseFloat(e.committed); }), backgroundColor: "#0d6efd" },
          { label: data.labels.received, data: data.earmarks.map(function (e) { return parseFloat(e.received); }), backgroundColor: "#198754" }
        ]
      },
      options: { indexAxis: "y", animation: false }
    });
  }
})();
