// Base layer shared by every map: the tile URL comes from the page (settings), and a
// map stays usable when no tile server answers, since the data layers need no tiles.
(function () {
  "use strict";

  // Leaflet's own control texts are English: the zoom buttons take the page's words,
  // and the credit keeps Leaflet's name without its English tooltip.
  function localiseControls(map) {
    var words = document.body.dataset;
    if (map.zoomControl && words.zoomIn && words.zoomOut) {
      map.removeControl(map.zoomControl);
      map.zoomControl = L.control
        .zoom({ zoomInTitle: words.zoomIn, zoomOutTitle: words.zoomOut })
        .addTo(map);
    }
    if (map.attributionControl) {
      map.attributionControl.setPrefix("Leaflet");
    }
  }

  function addBaseLayer(map, element) {
    localiseControls(map);
    var url = element.dataset.tileUrl;
    if (!url) {
      return null;
    }
    var layer = L.tileLayer(url, {
      maxZoom: 19,
      attribution: element.dataset.tileAttribution || "© OpenStreetMap"
    });
    layer.on("tileerror", function () {
      element.classList.add("map-without-tiles");
    });
    layer.addTo(map);
    return layer;
  }

  window.Tournee = window.Tournee || {};
  window.Tournee.addBaseLayer = addBaseLayer;
})();
