import csv
from pathlib import Path

from targeting.crosswalk import count_station_addresses
from targeting.readers import ElectorAddress, IrisKind, IrisRecord
from targeting.territory import TerritoryData
from tests.targeting.geojson_helpers import square


def test_counts_raw_addresses_per_pair() -> None:
    iris = [
        IrisRecord("930100101", "A", "93010", IrisKind.HOUSING, square(0, 0)),
        IrisRecord("930100102", "B", "93010", IrisKind.HOUSING, square(1, 0)),
    ]
    addresses = [
        ElectorAddress("x1", "93010", 1, 0.5, 0.5, 2),
        ElectorAddress("x2", "93010", 1, 0.2, 0.2, 1),
        ElectorAddress("x3", "93010", 1, 1.5, 0.5, 4),
        ElectorAddress("x4", "93010", 2, 1.5, 0.5, 1),
        ElectorAddress("x5", "93010", 2, 9.0, 9.0, 5),
    ]

    assert count_station_addresses(addresses, iris) == {
        (1, "930100101"): 3,
        (1, "930100102"): 4,
        (2, "930100102"): 1,
    }


def test_bondy_matches_published_crosswalk(bondy: TerritoryData, bondy_dir: Path) -> None:
    with (bondy_dir / "derived_crosswalk_bv_iris_bondy.csv").open(
        encoding="utf-8", newline=""
    ) as file:
        published = {
            (int(row["id_bv"].split("_")[1]), row["CODE_IRIS"]): int(row["n_adresses_brutes_reu"])
            for row in csv.DictReader(file)
            if row["id_bv"] and row["CODE_IRIS"] and row["n_adresses_brutes_reu"] != "0"
        }

    counts = count_station_addresses(bondy.reu_addresses, bondy.iris)

    assert counts == published
