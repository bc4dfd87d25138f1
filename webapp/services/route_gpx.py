"""The route as GPX for hiking and map apps: the path as a track, the doors as waypoints.

Names go through Flask-Babel, so the file is written in the locale of the request.
"""

from flask_babel import format_number, gettext, ngettext
from gpxpy.gpx import GPX, GPXTrack, GPXTrackPoint, GPXTrackSegment, GPXWaypoint

from webapp.services.route_view import RouteSheet, RouteStop
from webapp.services.walk_sheet import is_large_building

# Symbol names from Garmin's list. GPX leaves `sym` free text, so other apps may ignore them.
MEETING_SYMBOL = "Flag, Blue"
DOOR_SYMBOL = "Residence"


def route_gpx(sheet: RouteSheet) -> str:
    """Return GPX 1.1 with the meeting point, each door in walking order, the end point when
    the route ends elsewhere, and the path."""
    team = gettext("Team %(number)s", number=sheet.team)
    gpx = GPX()
    gpx.creator = "Tournée"
    gpx.name = team
    gpx.waypoints.append(
        _place(sheet.meeting_lon, sheet.meeting_lat, gettext("Meeting point"), sheet.meeting_point)
    )
    gpx.waypoints.extend(_door_waypoint(stop) for stop in sheet.stops)
    if sheet.end_point and sheet.end_lon is not None and sheet.end_lat is not None:
        gpx.waypoints.append(
            _place(sheet.end_lon, sheet.end_lat, gettext("End of the route"), sheet.end_point)
        )
    if sheet.path:
        segment = GPXTrackSegment(
            [GPXTrackPoint(latitude=lat, longitude=lon) for lon, lat in sheet.path]
        )
        track = GPXTrack(name=team)
        track.segments.append(segment)
        gpx.tracks.append(track)
    return str(gpx.to_xml(version="1.1"))


def _place(lon: float, lat: float, name: str, description: str) -> GPXWaypoint:
    """Return the waypoint of a place named on the sheet: the meeting point or the end."""
    return GPXWaypoint(
        latitude=lat, longitude=lon, name=name, description=description, symbol=MEETING_SYMBOL
    )


def _door_waypoint(stop: RouteStop) -> GPXWaypoint:
    description = None
    if is_large_building(stop):
        description = ngettext(
            "building, about %(count)s dwelling",
            "building, about %(count)s dwellings",
            stop.dwellings,
            count=format_number(stop.dwellings),
        )
    return GPXWaypoint(
        latitude=stop.lat,
        longitude=stop.lon,
        name=f"{stop.step} · {stop.label}",
        description=description,
        symbol=DOOR_SYMBOL,
    )
