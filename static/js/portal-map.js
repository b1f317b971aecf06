// Maps without the internet: Leaflet draws the country boundaries vendored in
// static/vendor/world-atlas (Natural Earth, TopoJSON), never a tile server, which
// closed networks do not have. Data comes from json_script blocks (the CSP forbids
// inline scripts).
//   <div class="portal-map" data-boundaries="...countries-50m.json"
//        data-points="id-of-json-script" data-route="id-of-json-script"></div>
(function () {
  "use strict";
  if (typeof L === "undefined" || typeof topojson === "undefined") {
    return;
  }
  // The centre's region, shown when there is nothing to fit.
  var REGION = [[30, 40], [56, 90]];

  function readJson(id) {
    var node = id && document.getElementById(id);
    return node ? JSON.parse(node.textContent) : null;
  }

  function escapeHtml(text) {
    var div = document.createElement("div");
    div.textContent = text == null ? "" : String(text);
    return div.innerHTML;
  }

  function centroidOf(layer) {
    // The centre of the largest polygon's bounds: good enough to place a route node.
    var best = null;
    var bestArea = -1;
    layer.eachLayer(function (part) {
      var b = part.getBounds();
      var area = (b.getNorth() - b.getSouth()) * (b.getEast() - b.getWest());
      if (area > bestArea) {
        bestArea = area;
        best = b.getCenter();
      }
    });
    return best;
  }

  function draw(element) {
    var map = L.map(element, { attributionControl: true, worldCopyJump: false, minZoom: 2, maxZoom: 9 });
    map.attributionControl.setPrefix(false);
    map.attributionControl.addAttribution("Natural Earth");
    map.fitBounds(REGION);
    fetch(element.dataset.boundaries, { credentials: "same-origin" })
      .then(function (response) { return response.json(); })
      .then(function (topology) {
        var features = topojson.feature(topology, topology.objects.countries);
        var byId = {};
        var countriesLayer = L.geoJSON(features, {
          style: { color: "#6c757d", weight: 0.7, fillColor: "#e9ecef", fillOpacity: 1 },
          onEachFeature: function (feature, layer) {
            byId[String(feature.id)] = layer;
            layer.bindTooltip(escapeHtml(feature.properties.name), { sticky: true });
          }
        }).addTo(map);
        countriesLayer.bringToBack();
        var bounds = [];
        var points = readJson(element.dataset.points);
        if (points) {
          points.points.forEach(function (p) {
            var kg = Object.keys(p.substances).map(function (name) {
              return escapeHtml(name) + ": " + p.substances[name].toLocaleString(document.documentElement.lang, { maximumFractionDigits: 3 }) + " kg";
            }).join("<br>");
            L.circleMarker([p.lat, p.lon], { radius: 6, color: "#842029", weight: 1, fillColor: "#dc3545", fillOpacity: 0.8 })
              .bindPopup('<a href="' + encodeURI(p.url) + '">' + escapeHtml(p.reference) + "</a><br>" +
                escapeHtml(p.date) + " · " + escapeHtml(p.place) + ", " + escapeHtml(p.country) + (kg ? "<br>" + kg : ""))
              .addTo(map);
            bounds.push([p.lat, p.lon]);
          });
        }
        var route = readJson(element.dataset.route);
        if (route && route.legs.length) {
          route.legs.forEach(function (leg) {
            var from = byId[leg.from_numeric];
            var to = byId[leg.to_numeric];
            if (!from || !to) {
              return;
            }
            var a = centroidOf(from);
            var b = centroidOf(to);
            from.setStyle({ fillColor: "#cfe2ff" });
            to.setStyle({ fillColor: "#cfe2ff" });
            L.polyline([a, b], { color: "#0d6efd", weight: 3 })
              .bindTooltip(escapeHtml(leg.order + ". " + leg.from_name + " → " + leg.to_name + (leg.handover_point ? " (" + leg.handover_point + ")" : "")))
              .addTo(map);
            L.circleMarker(b, { radius: 5, color: "#0a58ca", fillOpacity: 1 }).addTo(map);
            bounds.push(a, b);
          });
        }
        if (bounds.length) {
          map.fitBounds(bounds, { padding: [30, 30], maxZoom: 6 });
        }
        element.dataset.ready = "true";
      });
  }

  document.querySelectorAll(".portal-map").forEach(draw);

  // Trend charts: <canvas class="portal-trends" data-source="id-of-json-script">.
  if (typeof Chart !== "undefined") {
    var palette = ["#dc3545", "#0d6efd", "#198754", "#fd7e14", "#6f42c1", "#20c997", "#6c757d", "#d63384", "#0dcaf0"];
    document.querySelectorAll("canvas.portal-trends").forEach(function (canvas) {
      var data = readJson(canvas.dataset.source);
      if (!data) {
        return;
      }
      var names = Object.keys(data.series);
      new Chart(canvas, {
        type: "bar",
        data: {
          labels: data.months,
          datasets: names.map(function (name, i) {
            return { label: name, data: data.series[name], backgroundColor: palette[i % palette.length] };
          })
        },
        options: {
          animation: false,
          responsive: true,
          scales: { x: { stacked: true }, y: { stacked: true, title: { display: true, text: canvas.dataset.unit || "kg" } } }
        }
      });
    });
  }
})();
