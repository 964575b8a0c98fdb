#!/usr/bin/env python3
"""Build the bundled cartnet demo instance (US Northeast / Mid-Atlantic).

Reads public source files from a geo directory (default /work/shared/geo, or the
first command-line argument, or $CARTNET_GEO_DIR) and writes demand.csv,
hospitals.csv and sites.csv next to this script. Deterministic: every choice
(county FIPS codes, HIFLD hospital IDs, site ZIP codes) is hard-coded below, all
rounding is decimal half-up on the source text, and output rows keep the order
of the lists below.

    python3 data/demo/make_demo.py [GEO_DIR]

Source files used (see data/demo/README.md):
  CenPop2020_Mean_CO.txt            US Census Bureau, 2020 county centers of population
  hifld_Hospitals.csv               HIFLD Hospitals layer (DHS open data)
  uszips_zip_lat_lng_population.csv ZIP points (only for the 4 regional site coordinates)

After writing the CSVs the script re-reads them and runs checks (unique ids,
hospital references, coordinate ranges, remote counties beyond reach, capacity
feasibility) and prints each demand point's nearest-hospital distance.
Only the Python 3 standard library is used.
"""

import csv
import math
import os
import sys
from decimal import ROUND_HALF_UP, Decimal

HERE = os.path.dirname(os.path.abspath(__file__))
GEO_DIR = (sys.argv[1] if len(sys.argv) > 1
           else os.environ.get("CARTNET_GEO_DIR", "/work/shared/geo"))

# ---------------------------------------------------------------------------
# Parameters
# ---------------------------------------------------------------------------

# CAR-T eligible patients per 100,000 residents per year. Roughly 10,000
# eligible US patients a year over 331.4 M residents (2020 census) is
# 3.02 per 100,000; rounded to 3.0.
INCIDENCE_PER_100K = Decimal("3.0")

# The network plans one manufacturer's product, not the whole market: the demo
# assumes that product treats half of the eligible patients (assumption).
MARKET_SHARE = Decimal("0.5")

# Hospital capacity rule: max_patients = round_half_up(BEDS / 5) clamped to
# [20, 200]. Large academic centres (500-1000 beds) get 100-200 CAR-T patients
# a year, the order of magnitude the busiest US programmes report; small
# specialty hospitals get the floor of 20.
BEDS_PER_PATIENT = Decimal(5)
MIN_PATIENTS, MAX_PATIENTS = 20, 200

# Patient reach used by the checks: at most 2 h driving at 70 km/h on roads
# 1.3x the great-circle distance -> 140 / 1.3 = 107.7 km great-circle.
REACH_KM = 2.0 * 70.0 / 1.3
# Remote demand points must be further than this from every hospital.
REMOTE_MIN_KM = 110.0

EARTH_RADIUS_KM = 6371.0088  # mean Earth radius (same as Rust geo's Haversine)

# ---------------------------------------------------------------------------
# Demand points: 5-digit county FIPS (STATEFP + COUNTYFP), kept as text.
# ---------------------------------------------------------------------------
DEMAND_FIPS = [
    # New York City and its New York suburbs
    "36047",  # Kings County, NY (Brooklyn)
    "36081",  # Queens County, NY
    "36061",  # New York County, NY (Manhattan)
    "36005",  # Bronx County, NY
    "36059",  # Nassau County, NY (Long Island)
    "36103",  # Suffolk County, NY (Long Island)
    "36119",  # Westchester County, NY
    # Upstate New York
    "36029",  # Erie County, NY (Buffalo)
    "36055",  # Monroe County, NY (Rochester)
    "36001",  # Albany County, NY
    "36121",  # Wyoming County, NY - rural, between Buffalo and Rochester (served)
    "36041",  # Hamilton County, NY - REMOTE: Adirondacks, ~118 km from Albany Med
    "36033",  # Franklin County, NY - REMOTE: northern Adirondacks, ~234 km from Albany Med
    # New Jersey
    "34003",  # Bergen County, NJ
    "34013",  # Essex County, NJ (Newark)
    "34017",  # Hudson County, NJ (Jersey City)
    "34023",  # Middlesex County, NJ (New Brunswick)
    "34025",  # Monmouth County, NJ
    "34007",  # Camden County, NJ (Philadelphia suburbs)
    "34021",  # Mercer County, NJ (Trenton / Princeton)
    # Pennsylvania
    "42101",  # Philadelphia County, PA
    "42091",  # Montgomery County, PA
    "42017",  # Bucks County, PA
    "42003",  # Allegheny County, PA (Pittsburgh)
    "42071",  # Lancaster County, PA
    "42043",  # Dauphin County, PA (Harrisburg)
    "42099",  # Perry County, PA - rural, west of Harrisburg (served)
    # Delaware, Maryland, District of Columbia
    "10003",  # New Castle County, DE (Wilmington)
    "24031",  # Montgomery County, MD
    "24033",  # Prince George's County, MD
    "24005",  # Baltimore County, MD
    "24510",  # Baltimore city, MD (independent city)
    "24003",  # Anne Arundel County, MD
    "11001",  # District of Columbia, DC
    # Connecticut
    "09001",  # Fairfield County, CT
    "09003",  # Hartford County, CT
    "09009",  # New Haven County, CT
    # Massachusetts and Rhode Island
    "25017",  # Middlesex County, MA
    "25025",  # Suffolk County, MA (Boston)
    "25027",  # Worcester County, MA
    "25021",  # Norfolk County, MA
    "44007",  # Providence County, RI
]

# County-equivalents whose name is not "<COUNAME> County".
NAME_OVERRIDES = {
    "24510": "Baltimore city, MD",
    "11001": "District of Columbia, DC",
}

STATE_ABBR = {
    "09": "CT", "10": "DE", "11": "DC", "23": "ME", "24": "MD", "25": "MA",
    "33": "NH", "34": "NJ", "36": "NY", "42": "PA", "44": "RI", "50": "VT",
}

# ---------------------------------------------------------------------------
# Hospitals: HIFLD ID (10-digit text), with the site slug of its colocated
# candidate site (None = no colocated site), and whether max_patients is left
# blank (= unlimited).
# ---------------------------------------------------------------------------
HOSPITALS = [
    # (HIFLD ID,    colocated site slug, unlimited, comment)
    ("0117510021", "MSK", True,   # MEMORIAL HOSPITAL FOR CANCER AND ALLIED DISEASES = Memorial Sloan Kettering, Manhattan
     "dedicated cancer hospital; its bed count understates CAR-T volume -> unlimited"),
    ("0118810032", "NYP", False,  # NEW YORK PRESBYTERIAN HOSPITAL - COLUMBIA PRESBYTERIAN CENTER
     ""),
    ("0012307601", "HUMC", False,  # HACKENSACK UNIVERSITY MEDICAL CENTER, NJ
     ""),
    ("0019219104", "HUP", False,  # HOSPITAL OF THE UNIVERSITY OF PENNSYLVANIA, Philadelphia
     ""),
    ("0009317033", None, False,   # MILTON S HERSHEY MEDICAL CENTER (Penn State Health), Hershey PA
     ""),
    ("0000921287", "JHH", False,  # JOHNS HOPKINS HOSPITAL, Baltimore
     ""),
    ("0001906504", "YNHH", False,  # YALE-NEW HAVEN HOSPITAL
     ""),
    ("0007702114", "MGH", False,  # MASSACHUSETTS GENERAL HOSPITAL, Boston
     ""),
    ("0011315213", "UPMC", False,  # UPMC PRESBYTERIAN, Pittsburgh (home of UPMC Hillman Cancer Center's cell therapy programme)
     ""),
    ("0003414263", None, False,   # ROSWELL PARK CANCER INSTITUTE, Buffalo
     ""),
    ("0005514607", "URMC", False,  # STRONG MEMORIAL HOSPITAL (University of Rochester Medical Center)
     ""),
    ("0002012208", "AMC", False,  # ALBANY MEDICAL CENTER
     ""),
]

# Colocated site that gets a space limit (example of a per-site max_platforms).
COLOCATED_MAX_PLATFORMS = {"MSK": 2}  # Manhattan: little floor space for clean rooms

# Regional sites: coordinates = the ZIP point of the given ZIP code in
# uszips_zip_lat_lng_population.csv (ZIPs stored there without leading zeros).
REGIONAL_SITES = [
    # (slug, name, ZIP)
    ("KOP", "King of Prussia PA (regional)", "19406"),   # Montgomery County PA life-science cluster
    ("PRN", "Princeton NJ (regional)", "08540"),         # Route 1 pharma corridor
    ("WOR", "Worcester MA (regional)", "01608"),         # downtown Worcester ZIP
    ("RKV", "Rockville MD (regional)", "20850"),         # I-270 biotech corridor
]

# Central existing plant: Novartis's public CAR-T (Kymriah) manufacturing site at
# Morris Plains, New Jersey. Approximate coordinate of the site (about 1 km from
# the ZIP 07950 point).
CENTRAL_SITE = {
    "slug": "MORRIS",
    "name": "Morris Plains NJ (Novartis central plant)",
    "lat": "40.8365",
    "lon": "-74.4818",
    "max_platforms": "20",
    "allow": "owned",
    "existing": "true",
}

DEMAND_HEADER = ["id", "name", "lat", "lon", "patients"]
HOSPITAL_HEADER = ["id", "name", "lat", "lon", "max_patients"]
SITE_HEADER = ["id", "name", "lat", "lon", "kind", "hospital", "max_platforms",
               "allow", "setup_cost_owned", "setup_cost_franchise",
               "batches_per_platform", "existing"]


# ---------------------------------------------------------------------------
# Helpers
# ---------------------------------------------------------------------------
def round_text(value, places):
    """Decimal half-up rounding of a numeric string, e.g. '+040.651666' -> '40.6517'."""
    q = Decimal(1).scaleb(-places)
    d = Decimal(str(value).strip()).quantize(q, rounding=ROUND_HALF_UP)
    if d == 0:
        d = abs(d)
    return format(d, "f")


def haversine_km(lat1, lon1, lat2, lon2):
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(math.sqrt(h))


def write_csv(path, header, rows):
    # UTF-8 without BOM, LF line endings, minimal quoting (names with commas quoted).
    with open(path, "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(header)
        w.writerows(rows)


def read_csv(path, encoding="utf-8"):
    with open(path, encoding=encoding, newline="") as f:
        return list(csv.DictReader(f))


# ---------------------------------------------------------------------------
# Build
# ---------------------------------------------------------------------------
def build_demand():
    counties = {r["STATEFP"] + r["COUNTYFP"]: r
                for r in read_csv(os.path.join(GEO_DIR, "CenPop2020_Mean_CO.txt"))}
    rows = []
    for fips in DEMAND_FIPS:
        r = counties[fips]  # KeyError = typo in DEMAND_FIPS
        name = NAME_OVERRIDES.get(
            fips, f"{r['COUNAME']} County, {STATE_ABBR[r['STATEFP']]}")
        pop = Decimal(r["POPULATION"])
        patients = (pop * INCIDENCE_PER_100K * MARKET_SHARE / Decimal(100000)).quantize(
            Decimal("0.1"), rounding=ROUND_HALF_UP)
        rows.append(["D" + fips, name, round_text(r["LATITUDE"], 4),
                     round_text(r["LONGITUDE"], 4), format(patients, "f")])
    return rows


def capacity_from_beds(beds_text):
    beds = int(beds_text)
    if beds <= 0:  # HIFLD uses -999 for unknown
        return MIN_PATIENTS
    cap = int((Decimal(beds) / BEDS_PER_PATIENT).quantize(Decimal(1), rounding=ROUND_HALF_UP))
    return max(MIN_PATIENTS, min(MAX_PATIENTS, cap))


def build_hospitals():
    # hifld_Hospitals.csv starts with a UTF-8 BOM -> utf-8-sig.
    hifld = {r["ID"]: r for r in read_csv(os.path.join(GEO_DIR, "hifld_Hospitals.csv"),
                                          encoding="utf-8-sig")}
    rows = []
    for hid, _slug, unlimited, _comment in HOSPITALS:
        r = hifld[hid]
        assert r["STATUS"] == "OPEN", (hid, r["STATUS"])
        cap = "" if unlimited else str(capacity_from_beds(r["BEDS"]))
        rows.append(["H" + hid, r["NAME"].strip(), round_text(r["LATITUDE"], 4),
                     round_text(r["LONGITUDE"], 4), cap])
    return rows, hifld


def build_sites(hospital_rows, hifld):
    by_id = {row[0]: row for row in hospital_rows}
    rows = []

    def site(slug, name, lat, lon, kind, hospital="", max_platforms="", allow="",
             existing=""):
        # setup_cost_owned, setup_cost_franchise, batches_per_platform: blank =
        # scenario default.
        rows.append(["S-" + slug, name, lat, lon, kind, hospital, max_platforms,
                     allow, "", "", "", existing])

    for hid, slug, _unlimited, _comment in HOSPITALS:
        if slug is None:
            continue
        h = by_id["H" + hid]
        city = hifld[hid]["CITY"].title()
        site(slug, f"{slug} {city} {hifld[hid]['STATE']} (colocated)", h[2], h[3],
             "colocated", hospital=h[0],
             max_platforms=str(COLOCATED_MAX_PLATFORMS.get(slug, "")))

    zips = {}
    for r in read_csv(os.path.join(GEO_DIR, "uszips_zip_lat_lng_population.csv")):
        zips[r["zip"].zfill(5)] = r
    for slug, name, zipcode in REGIONAL_SITES:
        z = zips[zipcode]
        site(slug, name, round_text(z["lat"], 4), round_text(z["lng"], 4), "regional")

    c = CENTRAL_SITE
    site(c["slug"], c["name"], c["lat"], c["lon"], "central",
         max_platforms=c["max_platforms"], allow=c["allow"], existing=c["existing"])
    return rows


# ---------------------------------------------------------------------------
# Checks
# ---------------------------------------------------------------------------
def max_flow_unserved(demand, hospitals, reach_km):
    """Assign demand (patients) to hospitals within reach under capacity
    (None = unlimited); return {demand id: unserved patients} via max-flow."""
    INF = float("inf")
    nodes = ["src"] + [d["id"] for d in demand] + [h["id"] for h in hospitals] + ["snk"]
    idx = {n: i for i, n in enumerate(nodes)}
    n = len(nodes)
    cap = [[0.0] * n for _ in range(n)]
    for d in demand:
        cap[0][idx[d["id"]]] = float(d["patients"])
        for h in hospitals:
            if haversine_km(float(d["lat"]), float(d["lon"]),
                            float(h["lat"]), float(h["lon"])) <= reach_km:
                cap[idx[d["id"]]][idx[h["id"]]] = INF
    for h in hospitals:
        cap[idx[h["id"]]][n - 1] = INF if h["max_patients"] == "" else float(h["max_patients"])
    flow = [[0.0] * n for _ in range(n)]
    while True:  # Edmonds-Karp
        parent = [-1] * n
        parent[0] = 0
        queue = [0]
        while queue and parent[n - 1] < 0:
            u = queue.pop(0)
            for v in range(n):
                if parent[v] < 0 and cap[u][v] - flow[u][v] > 1e-9:
                    parent[v] = u
                    queue.append(v)
        if parent[n - 1] < 0:
            break
        v, aug = n - 1, INF
        while v != 0:
            u = parent[v]
            aug = min(aug, cap[u][v] - flow[u][v])
            v = u
        v = n - 1
        while v != 0:
            u = parent[v]
            flow[u][v] += aug
            flow[v][u] -= aug
            v = u
    return {d["id"]: float(d["patients"]) - flow[0][idx[d["id"]]] for d in demand}


def check_and_report():
    demand = read_csv(os.path.join(HERE, "demand.csv"))
    hospitals = read_csv(os.path.join(HERE, "hospitals.csv"))
    sites = read_csv(os.path.join(HERE, "sites.csv"))

    for fname, header in (("demand.csv", DEMAND_HEADER), ("hospitals.csv", HOSPITAL_HEADER),
                          ("sites.csv", SITE_HEADER)):
        raw = open(os.path.join(HERE, fname), "rb").read()
        assert not raw.startswith(b"\xef\xbb\xbf"), f"{fname}: BOM"
        assert b"\r" not in raw, f"{fname}: CR"
        raw.decode("utf-8")
        assert raw.split(b"\n", 1)[0].decode() == ",".join(header), f"{fname}: header"

    all_ids = [r["id"] for r in demand + hospitals + sites]
    assert len(all_ids) == len(set(all_ids)), "duplicate ids"
    hosp_ids = {h["id"] for h in hospitals}
    for s in sites:
        if s["kind"] == "colocated":
            assert s["hospital"] in hosp_ids, s
            h = next(h for h in hospitals if h["id"] == s["hospital"])
            assert (s["lat"], s["lon"]) == (h["lat"], h["lon"]), s
        else:
            assert s["hospital"] == "", s
    # Northeast / Mid-Atlantic bounding box
    for r in demand + hospitals + sites:
        lat, lon = float(r["lat"]), float(r["lon"])
        assert 38.0 < lat < 46.0 and -81.0 < lon < -69.0, r

    print(f"demand points: {len(demand)}, total patients/yr: "
          f"{sum(Decimal(d['patients']) for d in demand)}")
    kinds = ", ".join("%s=%d" % (k, sum(s["kind"] == k for s in sites))
                      for k in ("colocated", "regional", "central"))
    print(f"hospitals: {len(hospitals)}, sites: {len(sites)} ({kinds})")
    print(f"reach = {REACH_KM:.1f} km great-circle (2 h x 70 km/h / 1.3)\n")
    print(f"{'id':8} {'name':28} {'patients':>8}  {'nearest hospital':44} {'km':>6}")
    remote = []
    for d in demand:
        dist, h = min((haversine_km(float(d["lat"]), float(d["lon"]),
                                    float(h["lat"]), float(h["lon"])), h["name"])
                      for h in hospitals)
        flag = "" if dist <= REACH_KM else "  <- beyond reach"
        if dist > REACH_KM:
            remote.append((d, dist))
        print(f"{d['id']:8} {d['name']:28} {d['patients']:>8}  {h[:44]:44} {dist:6.1f}{flag}")
    print()
    assert 1 <= len(remote) <= 2, remote
    for d, dist in remote:
        assert dist > REMOTE_MIN_KM, (d, dist)
        print(f"remote: {d['id']} {d['name']} is {dist:.1f} km from the nearest hospital "
              f"(> {REMOTE_MIN_KM:.0f} km)")

    unserved = max_flow_unserved(demand, hospitals, REACH_KM)
    short = {k: v for k, v in unserved.items() if v > 1e-6}
    remote_ids = {d["id"] for d, _ in remote}
    assert set(short) == remote_ids, f"capacity shortfall outside remote points: {short}"
    print("capacity check: all demand within reach can be assigned to hospitals within "
          "their max_patients; unserved only "
          + ", ".join(f"{k} ({v:.1f})" for k, v in sorted(short.items())))


def main():
    demand_rows = build_demand()
    hospital_rows, hifld = build_hospitals()
    site_rows = build_sites(hospital_rows, hifld)
    write_csv(os.path.join(HERE, "demand.csv"), DEMAND_HEADER, demand_rows)
    write_csv(os.path.join(HERE, "hospitals.csv"), HOSPITAL_HEADER, hospital_rows)
    write_csv(os.path.join(HERE, "sites.csv"), SITE_HEADER, site_rows)
    check_and_report()


if __name__ == "__main__":
    main()
