"""What benchmarks/load.py's visitors request besides the pages it looks up in the database:
shared by load_users.py (locust's visitors) and load.py (which requests each once first)."""

SEARCHES = ["missing", "custody", "exploitation", "domestic abuse", "online grooming"]
HOME = "/"
FEEDS = ["/events/feed.ics", "/sitemap.xml"]
SUBSCRIBE = "/newsletters/subscribe/"
