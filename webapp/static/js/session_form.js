// Session form: small maps where a click fills a point's latitude and longitude (the
// meeting point, and the stop where routes end). The fields stay editable, so the form
// works without this script.
(function () {
  "use strict";

  var DECIMALS = 6;
  var DEFAULT_ZOOM = 15;

  function readNumber(input) {
    var value = parseFloat(String(input.value).replace(",", "."));
    return isFinite(value) ? value : null;
  }

  function initMap(element) {
    var latInput = document.getElementById(element.dataset.latInput);
    var lonInput = document.getElementById(element.dataset.lonInput);
    if (!latInput || !lonInput) {
      return;
    }
    element.hidden = false;
    var lat = readNumber(latInput);
    var lon = readNumber(lonInput);
    var centreLat = parseFloat(element.dataset.centreLat);
    var centreLon = parseFloat(element.dataset.centreLon);
    var map = L.map(element);
    if (lat !== null && lon !== null) {
      map.setView([lat, lon], DEFAULT_ZOOM);
    } else if (isFinite(centreLat) && isFinite(centreLon)) {
      map.setView([centreLat, centreLon], 14);
    } else {
      map.setView([46.6, 2.4], 6);
    }
    window.Tournee.addBaseLayer(map, element);

    var marker = null;
    function placeMarker(point) {
      if (marker) {
        marker.setLatLng(point);
      } else {
        marker = L.circleMarker(point, { radius: 9, color: "#073b45", weight: 3, fillOpacity: 0.6 });
        marker.addTo(map);
      }
    }
    if (lat !== null && lon !== null) {
      placeMarker([lat, lon]);
    }

    map.on("click", function (event) {
      latInput.value = event.latlng.lat.toFixed(DECIMALS);
      lonInput.value = event.latlng.lng.toFixed(DECIMALS);
      placeMarker(event.latlng);
    });

    function followInputs() {
      var typedLat = readNumber(latInput);
      var typedLon = readNumber(lonInput);
      if (typedLat !== null && typedLon !== null && Math.abs(typedLat) <= 90 && Math.abs(typedLon) <= 180) {
        placeMarker([typedLat, typedLon]);
        map.panTo([typedLat, typedLon]);
      }
    }
    latInput.addEventListener("change", followInputs);
    lonInput.addEventListener("change", followInputs);
  }

  document.addEventListener("DOMContentLoaded", function () {
    if (!window.L) {
      return;
    }
    document.querySelectorAll(".point-map").forEach(initMap);
  });
})();
