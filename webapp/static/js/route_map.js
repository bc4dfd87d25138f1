// Route map: the walking path, the meeting point and the numbered doors, drawn from the
// route's GeoJSON. The server-rendered walk list stays the reference, so any failure here
// leaves a short note and the list. Doors too close to tell apart at the current zoom
// merge into clusters (Leaflet.markercluster), except the next door to visit.
(function () {
  "use strict";

  var DOOR_ICON_PX = 28;
  var MEETING_ICON_PX = 30;
  var CLUSTER_ICON_PX = 40;
  // Markers closer than this on screen merge into a cluster. The plugin clusters at whole
  // zoom levels, and a half level (zoomSnap 0.5) draws the map at 1/√2 of that scale, so
  // the doors it leaves apart are at least 40 / √2 ≈ 28 px apart, a door marker's width.
  // The next door, kept out of the clusters, may still overlap one.
  var CLUSTER_RADIUS_PX = 40;
  // The deepest zoom of the map and of its tiles. At this zoom, doors still closer than
  // the radius stay in a cluster that spreads them out (spiderfies) when tapped.
  var MAX_ZOOM = 19;

  function textElement(text) {
    var element = document.createElement("span");
    element.textContent = text;
    return element;
  }

  // Replacement functions keep "$" in a street or place name from being read as a pattern.
  function fill(template, name, value) {
    return template.replace("{" + name + "}", function () { return value; });
  }

  function stepText(element, step, address) {
    return fill(fill(element.dataset.stepLabel, "step", String(step)), "address", address);
  }

  function isEveryDoorDone(features) {
    return features.every(function (feature) { return feature.properties.is_done; });
  }

  // Greys a marker out once every door it represents is done, and rings the next door.
  function doorClass(className, features) {
    if (isEveryDoorDone(features)) {
      className += " door-marker-done";
    }
    if (features.some(function (feature) { return feature.properties.is_next; })) {
      className += " door-marker-next";
    }
    return className;
  }

  // clusterIcon reads `doorCount` and `isDone`, because a cluster lists markers, not doors.
  function doorMarkerOptions(features, icon) {
    return {
      keyboard: false,
      icon: icon,
      doorCount: features.length,
      isDone: isEveryDoorDone(features)
    };
  }

  function doorMarker(element, feature, latLng) {
    var step = feature.properties.step;
    var marker = L.marker(latLng, doorMarkerOptions([feature], L.divIcon({
      className: doorClass("door-marker", [feature]),
      html: textElement(String(step)),
      iconSize: [DOOR_ICON_PX, DOOR_ICON_PX]
    })));
    marker.bindPopup(textElement(stepText(element, step, feature.properties.label)));
    return marker;
  }

  // Doors that share one point (the paths of a residence often do) get one marker, which
  // shows their first and last steps and lists them all in its popup.
  function sharedDoorMarker(element, features, latLng) {
    var first = features[0].properties.step;
    var last = features[features.length - 1].properties.step;
    var list = document.createElement("span");
    features.forEach(function (feature) {
      var line = textElement(stepText(element, feature.properties.step, feature.properties.label));
      line.className = "door-marker-line";
      list.appendChild(line);
    });
    var marker = L.marker(latLng, doorMarkerOptions(features, L.divIcon({
      className: doorClass("door-marker door-marker-shared", features),
      html: textElement(first + "–" + last),
      iconSize: [DOOR_ICON_PX * 2, DOOR_ICON_PX]
    })));
    marker.bindPopup(list);
    return marker;
  }

  // A cluster shows how many doors it contains, a shared marker counting each of its
  // doors, and is greyed out like a door once all of them are done.
  function clusterIcon(cluster) {
    var doorCount = 0;
    var isDone = true;
    cluster.getAllChildMarkers().forEach(function (marker) {
      doorCount += marker.options.doorCount;
      isDone = isDone && marker.options.isDone;
    });
    // MarkerCluster.Default.css lays out the inner disc and the count.
    var disc = document.createElement("div");
    disc.appendChild(textElement(String(doorCount)));
    return L.divIcon({
      className: "marker-cluster door-cluster" + (isDone ? " door-cluster-done" : ""),
      html: disc,
      iconSize: [CLUSTER_ICON_PX, CLUSTER_ICON_PX]
    });
  }

  function doorClusters() {
    return L.markerClusterGroup({
      maxClusterRadius: CLUSTER_RADIUS_PX,
      iconCreateFunction: clusterIcon,
      spiderfyOnMaxZoom: true,
      // A phone has no hover, and the outline would hide the path on a desktop.
      showCoverageOnHover: false
    });
  }

  // Groups door features by point, in walking order of each point's first door.
  function doorsByPoint(features) {
    var groups = [];
    var byKey = {};
    features.forEach(function (feature) {
      var key = feature.geometry.coordinates.join(",");
      if (!byKey[key]) {
        byKey[key] = [];
        groups.push(byKey[key]);
      }
      byKey[key].push(feature);
    });
    return groups;
  }

  // A starred marker for the meeting point, a flag where the route ends elsewhere.
  function placeMarker(feature, latLng, symbol, template) {
    var marker = L.marker(latLng, {
      keyboard: false,
      zIndexOffset: 1000,
      icon: L.divIcon({
        className: "meeting-marker",
        html: textElement(symbol),
        iconSize: [MEETING_ICON_PX, MEETING_ICON_PX]
      })
    });
    marker.bindPopup(textElement(fill(template, "place", feature.properties.label)));
    return marker;
  }

  function draw(map, element, collection) {
    var layers = [];
    var clusters = doorClusters();
    var doors = collection.features.filter(function (feature) {
      return feature.properties.kind === "door";
    });
    collection.features.forEach(function (feature) {
      var kind = feature.properties.kind;
      var coordinates = feature.geometry.coordinates;
      if (kind === "path") {
        layers.push(
          L.polyline(
            coordinates.map(function (point) { return [point[1], point[0]]; }),
            { color: "#0b5563", weight: 5, opacity: 0.85, interactive: false }
          )
        );
      } else if (kind === "meeting_point") {
        layers.push(placeMarker(feature, [coordinates[1], coordinates[0]], "★",
          element.dataset.meetingLabel));
      } else if (kind === "end_point") {
        layers.push(placeMarker(feature, [coordinates[1], coordinates[0]], "⚑",
          element.dataset.endLabel));
      }
    });
    doorsByPoint(doors).forEach(function (group) {
      var point = group[0].geometry.coordinates;
      var latLng = [point[1], point[0]];
      var marker = group.length === 1 ? doorMarker(element, group[0], latLng)
        : sharedDoorMarker(element, group, latLng);
      var isNext = group.some(function (feature) { return feature.properties.is_next; });
      if (isNext) {
        // Above the clusters around it, below the meeting point.
        marker.setZIndexOffset(500);
        layers.push(marker);
      } else {
        clusters.addLayer(marker);
      }
    });
    var group = L.featureGroup(layers).addTo(map);
    var bounds = group.getBounds().extend(clusters.getBounds());
    if (layers.length + clusters.getLayers().length > 1) {
      map.fitBounds(bounds, { padding: [36, 36], maxZoom: 18, animate: false });
    }
    clusters.addTo(map);
  }

  function showUnavailable(element, map) {
    if (map) {
      map.remove();
    }
    element.hidden = true;
    var note = document.createElement("p");
    note.className = "route-map-unavailable";
    note.setAttribute("role", "status");
    note.textContent = element.dataset.unavailable;
    element.parentNode.insertBefore(note, element);
  }

  function start() {
    var element = document.getElementById("route-map");
    if (!element || !window.L || !L.markerClusterGroup || !window.fetch) {
      return;
    }
    element.hidden = false;
    var center = [Number(element.dataset.meetingLat), Number(element.dataset.meetingLon)];
    var map = L.map(element, { scrollWheelZoom: false, zoomSnap: 0.5, maxZoom: MAX_ZOOM })
      .setView(center, 16);
    window.Tournee.addBaseLayer(map, element);
    fetch(element.dataset.geojsonUrl, {
      credentials: "same-origin",
      headers: { Accept: "application/geo+json" }
    })
      .then(function (response) {
        if (!response.ok) {
          throw new Error("route data request failed with status " + response.status);
        }
        return response.json();
      })
      .then(function (collection) {
        draw(map, element, collection);
      })
      .catch(function () {
        showUnavailable(element, map);
      });
  }

  document.addEventListener("DOMContentLoaded", start);
})();
