# Brine portable runtime, zone section: region time zones as zoneinfo.ZoneInfo where it and its data exist.
def zone(key, offset_seconds):
    try:
        import zoneinfo
        return zoneinfo.ZoneInfo(key)
    except Exception:
        import datetime
        return datetime.timezone(datetime.timedelta(seconds=offset_seconds))
