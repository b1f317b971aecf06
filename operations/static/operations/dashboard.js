// Draws the seizures-by-substance chart of the operations dashboard from the
// JSON the server embeds with json_script (the CSP forbids inline scripts).
(function () {
  "use strict";
  const source = document.getElementById("seizure-chart-data");
  const canvas = document.getElementById("seizure-chart");
  if (!source || !canvas || typeof Chart === "undefined") {
    return;
  }
  const data = JSON.parse(source.textContent);
  new Chart(canvas, {
    type: "bar",
    data: {
      labels: data.labels,
      datasets: [{ label: data.label, data: data.values, backgroundColor: "rgba(13, 110, 253, 0.6)" }],
    },
    options: {
      indexAxis: "y",
      responsive: true,
      animation: false,
      plugins: { legend: { display: false } },
      scales: { x: { beginAtZero: true } },
    },
  });
})();
