// Base layer shared by every map: the tile URL comes from the page (settings), and a
// map stays usable when no tile server answers, since the data layers need no tiles.
(function () {
  "use strict";

  function addBaseLayer(map, element) {
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
