// Targeting map: the campaign's IRIS coloured by score class, suppressed IRIS in grey,
// target IRIS outlined. Colours come from the legend rendered by the server, labels
// from the map element's data attributes, figures from the GeoJSON endpoint.
(function () {
  "use strict";

  var NO_SCORE_COLOUR = "#ffffff";
  var TARGET_OUTLINE = "#0a2a66";

  function readColours(legend) {
    var colours = {};
    legend.querySelectorAll("[data-score-class]").forEach(function (item) {
      var swatch = item.querySelector("[data-colour]");
      colours[item.dataset.scoreClass] = swatch.dataset.colour;
    });
    return colours;
  }

  function paintSwatches(legend) {
    legend.querySelectorAll("[data-colour]").forEach(function (swatch) {
      swatch.style.backgroundColor = swatch.dataset.colour;
    });
  }

  function styleFor(properties, colours, element) {
    var fill = NO_SCORE_COLOUR;
    if (properties.is_suppressed) {
      fill = element.dataset.suppressedColour;
    } else if (properties.score_class) {
      fill = colours[String(properties.score_class)];
    }
    return {
      fillColor: fill,
      fillOpacity: 0.8,
      color: properties.is_target ? TARGET_OUTLINE : "#3d3d3d",
      weight: properties.is_target ? 4 : 1,
      dashArray: properties.is_suppressed ? "4 4" : null
    };
  }

  function addRow(list, label, value) {
    var term = document.createElement("dt");
    term.textContent = label;
    var detail = document.createElement("dd");
    detail.textContent = value;
    list.appendChild(term);
    list.appendChild(detail);
  }

  function popupContent(properties, element, formats) {
    var labels = element.dataset;
    var box = document.createElement("div");
    var title = document.createElement("strong");
    title.textContent = properties.name + " (" + properties.code + ")";
    box.appendChild(title);

    if (properties.is_target) {
      var target = document.createElement("p");
      target.textContent = labels.labelTarget;
      box.appendChild(target);
    }
    if (properties.is_suppressed || !properties.has_score) {
      var note = document.createElement("p");
      note.textContent = properties.is_suppressed ? labels.labelSuppressed : labels.labelNoScore;
      box.appendChild(note);
      return box;
    }

    var figures = properties.figures;
    var list = document.createElement("dl");
    addRow(list, labels.labelRank, formats.integer.format(properties.rank));
    addRow(list, labels.labelScore, formats.score.format(properties.score));
    addRow(list, labels.labelHouseholds, formats.integer.format(figures.households));
    addRow(list, labels.labelRegistered, formats.integer.format(figures.registered));
    addRow(list, labels.labelAbstention, formats.percent.format(figures.abstention_rate));
    addRow(list, labels.labelShare, formats.percent.format(figures.our_share));
    addRow(list, labels.labelPotential, formats.integer.format(figures.potential));
    box.appendChild(list);

    if (document.getElementById("iris-" + properties.code)) {
      var link = document.createElement("a");
      link.href = "#iris-" + properties.code;
      link.textContent = labels.labelRowLink;
      box.appendChild(link);
    }
    return box;
  }

  function numberFormats() {
    var locale = document.documentElement.lang || "fr";
    return {
      integer: new Intl.NumberFormat(locale, { maximumFractionDigits: 0 }),
      score: new Intl.NumberFormat(locale, { minimumFractionDigits: 1, maximumFractionDigits: 1 }),
      percent: new Intl.NumberFormat(locale, { style: "percent", maximumFractionDigits: 1 })
    };
  }

  function showError(element) {
    var message = document.createElement("p");
    message.className = "targets-map-error";
    message.setAttribute("role", "alert");
    message.textContent = element.dataset.labelLoadError;
    element.parentNode.insertBefore(message, element);
  }

  function drawLayer(map, element, data, colours) {
    var formats = numberFormats();
    var layer = L.geoJSON(data, {
      style: function (feature) {
        return styleFor(feature.properties, colours, element);
      },
      onEachFeature: function (feature, shape) {
        shape.bindPopup(function () {
          return popupContent(feature.properties, element, formats);
        });
        // An element, not a string: Leaflet would read a string as HTML.
        var label = document.createElement("span");
        label.textContent = feature.properties.name;
        shape.bindTooltip(label, { sticky: true });
      }
    }).addTo(map);
    // Target outlines are drawn last so that a neighbour's edge never hides them.
    layer.eachLayer(function (shape) {
      if (shape.feature.properties.is_target) {
        shape.bringToFront();
      }
    });
    if (layer.getBounds().isValid()) {
      map.fitBounds(layer.getBounds(), { padding: [8, 8] });
    }
    element.dataset.featureCount = String(data.features.length);
  }

  function initMap(element) {
    var legend = document.querySelector(".targets-legend");
    paintSwatches(legend);
    var colours = readColours(legend);
    var map = L.map(element, { scrollWheelZoom: false }).setView([46.6, 2.4], 6);
    window.Tournee.addBaseLayer(map, element);
    fetch(element.dataset.geojsonUrl, {
      credentials: "same-origin",
      headers: { Accept: "application/geo+json, application/json" }
    })
      .then(function (response) {
        if (!response.ok) {
          throw new Error("HTTP " + response.status);
        }
        return response.json();
      })
      .then(function (data) {
        drawLayer(map, element, data, colours);
      })
      .catch(function () {
        showError(element);
      });
  }

  document.addEventListener("DOMContentLoaded", function () {
    var element = document.getElementById("targets-map");
    if (element && window.L) {
      initMap(element);
    }
  });
})();
