"""The word lists the demo Customer 360 draws from: names, places, stores, email domains."""

from __future__ import annotations

from datetime import date

#: every date in the demo is relative to this day, so the data never depends on the clock
REFERENCE_DATE = date(2026, 11, 1)

GIVEN_NAMES_FEMALE = (
    "Olivia", "Emma", "Charlotte", "Amelia", "Sophia", "Mia", "Isabella", "Ava", "Evelyn", "Luna",
    "Harper", "Sofia", "Camila", "Eleanor", "Elizabeth", "Violet", "Scarlett", "Emily", "Hazel",
    "Lily", "Gianna", "Aurora", "Penelope", "Aria", "Nora", "Chloe", "Ellie", "Mila", "Avery",
    "Layla", "Abigail", "Ella", "Isla", "Eliana", "Nova", "Madison", "Zoe", "Ivy", "Grace", "Lucy",
    "Willow", "Emilia", "Riley", "Naomi", "Victoria", "Stella", "Maya", "Paisley", "Hannah", "Leah",
    "Maria", "Ana", "Priya", "Mei", "Aaliyah", "Fatima", "Yuki", "Lucia", "Valentina", "Ximena",
)  # fmt: skip

GIVEN_NAMES_MALE = (
    "Liam", "Noah", "Oliver", "James", "Elijah", "Mateo", "Theodore", "Henry", "Lucas", "William",
    "Benjamin", "Levi", "Sebastian", "Jack", "Ezra", "Michael", "Daniel", "Leo", "Owen", "Samuel",
    "Hudson", "Alexander", "Asher", "Luca", "Ethan", "John", "David", "Jackson", "Joseph", "Mason",
    "Luke", "Matthew", "Julian", "Dylan", "Elias", "Jacob", "Maverick", "Gabriel", "Logan", "Aiden",
    "Thomas", "Isaac", "Miles", "Grayson", "Santiago", "Anthony", "Wyatt", "Carter", "Jayden",
    "Ezekiel", "Caleb", "Cooper", "Josiah", "Charles", "Christopher", "Isaiah", "Nolan", "Wei",
    "Arjun", "Kenji", "Omar", "Diego", "Andre", "Tariq", "Hiroshi", "Rafael", "Jamal", "Mohammed",
)  # fmt: skip

SURNAMES = (
    "Smith", "Johnson", "Williams", "Brown", "Jones", "Garcia", "Miller", "Davis", "Rodriguez",
    "Martinez", "Hernandez", "Lopez", "Gonzalez", "Wilson", "Anderson", "Thomas", "Taylor", "Moore",
    "Jackson", "Martin", "Lee", "Perez", "Thompson", "White", "Harris", "Sanchez", "Clark",
    "Ramirez", "Lewis", "Robinson", "Walker", "Young", "Allen", "King", "Wright", "Scott", "Torres",
    "Nguyen", "Hill", "Flores", "Green", "Adams", "Nelson", "Baker", "Hall", "Rivera", "Campbell",
    "Mitchell", "Carter", "Roberts", "Gomez", "Phillips", "Evans", "Turner", "Diaz", "Parker",
    "Cruz", "Edwards", "Collins", "Reyes", "Stewart", "Morris", "Morales", "Murphy", "Cook",
    "Rogers", "Gutierrez", "Ortiz", "Morgan", "Cooper", "Peterson", "Bailey", "Reed", "Kelly",
    "Howard", "Ramos", "Kim", "Cox", "Ward", "Richardson", "Watson", "Brooks", "Chavez", "Wood",
    "James", "Bennett", "Gray", "Mendoza", "Ruiz", "Hughes", "Price", "Alvarez", "Castillo",
    "Sanders", "Patel", "Myers", "Long", "Ross", "Foster", "Jimenez", "O'Brien", "Chen", "Wang",
    "Singh", "Kowalski", "Schmidt", "Novak", "Rossi", "Tanaka", "Okafor", "Haddad", "Lindqvist",
)  # fmt: skip

#: state -> (weight, ((city, 3-digit ZIP prefix, phone area code), ...)); big states weigh more
STATES: dict[str, tuple[int, tuple[tuple[str, str, str], ...]]] = {
    "CA": (120, (("Los Angeles", "900", "213"), ("San Francisco", "941", "415"),
                 ("San Diego", "921", "619"), ("San Jose", "951", "408"),
                 ("Sacramento", "958", "916"), ("Oakland", "946", "510"))),
    "TX": (90, (("Houston", "770", "713"), ("Dallas", "752", "214"), ("Austin", "787", "512"),
                ("San Antonio", "782", "210"), ("Fort Worth", "761", "817"))),
    "NY": (70, (("New York", "100", "212"), ("Brooklyn", "112", "718"), ("Buffalo", "142", "716"),
                ("Rochester", "146", "585"), ("Albany", "122", "518"))),
    "FL": (65, (("Miami", "331", "305"), ("Orlando", "328", "407"), ("Tampa", "336", "813"),
                ("Jacksonville", "322", "904"))),
    "WA": (40, (("Seattle", "981", "206"), ("Spokane", "992", "509"), ("Tacoma", "984", "253"),
                ("Bellevue", "980", "425"))),
    "IL": (38, (("Chicago", "606", "312"), ("Naperville", "605", "630"),
                ("Springfield", "627", "217"))),
    "PA": (35, (("Philadelphia", "191", "215"), ("Pittsburgh", "152", "412"))),
    "OH": (30, (("Columbus", "432", "614"), ("Cleveland", "441", "216"),
                ("Cincinnati", "452", "513"))),
    "GA": (30, (("Atlanta", "303", "404"), ("Savannah", "314", "912"))),
    "NC": (28, (("Charlotte", "282", "704"), ("Raleigh", "276", "919"))),
    "MA": (26, (("Boston", "021", "617"), ("Cambridge", "021", "617"),
                ("Worcester", "016", "508"))),
    "AZ": (24, (("Phoenix", "850", "602"), ("Tucson", "857", "520"))),
    "CO": (22, (("Denver", "802", "303"), ("Boulder", "803", "303"),
                ("Colorado Springs", "809", "719"))),
    "OR": (18, (("Portland", "972", "503"), ("Eugene", "974", "541"))),
    "NJ": (22, (("Newark", "071", "973"), ("Jersey City", "073", "201"))),
    "MI": (20, (("Detroit", "482", "313"), ("Grand Rapids", "495", "616"))),
    "MN": (14, (("Minneapolis", "554", "612"), ("Saint Paul", "551", "651"))),
    "TN": (14, (("Nashville", "372", "615"), ("Memphis", "381", "901"))),
    "VA": (16, (("Richmond", "232", "804"), ("Arlington", "222", "703"))),
    "NV": (10, (("Las Vegas", "891", "702"), ("Reno", "895", "775"))),
    "UT": (8, (("Salt Lake City", "841", "801"),)),
    "MO": (10, (("Kansas City", "641", "816"), ("St. Louis", "631", "314"))),
    "LA": (8, (("New Orleans", "701", "504"),)),
    "WI": (9, (("Milwaukee", "532", "414"), ("Madison", "537", "608"))),
    "MD": (10, (("Baltimore", "212", "410"),)),
    "HI": (4, (("Honolulu", "968", "808"),)),
    "AK": (2, (("Anchorage", "995", "907"),)),
    "VT": (2, (("Burlington", "054", "802"),)),
    "NM": (4, (("Albuquerque", "871", "505"),)),
}  # fmt: skip

LOYALTY_TIERS = (("bronze", 45), ("silver", 28), ("gold", 15), ("platinum", 5), (None, 7))
GENDERS = (("female", 49), ("male", 45), ("non-binary", 2), (None, 4))
CHANNELS = (("email", 45), ("web", 27), ("sms", 14), ("store", 11), (None, 3))

STORES = (
    "Austin Domain", "Atlanta Ponce City", "Boston Back Bay", "Brooklyn Williamsburg",
    "Chicago Magnificent Mile", "Chicago Wicker Park", "Charlotte SouthPark",
    "Columbus Short North",
    "Dallas NorthPark", "Denver Cherry Creek", "Detroit Midtown", "Houston Galleria",
    "Las Vegas Summerlin", "Los Angeles Grove", "Los Angeles Santa Monica", "Miami Design District",
    "Miami Brickell", "Minneapolis North Loop", "Nashville Gulch", "New York SoHo",
    "New York Hudson Yards", "Newark Riverfront", "Orlando Millenia", "Philadelphia Rittenhouse",
    "Phoenix Scottsdale", "Pittsburgh Shadyside", "Portland Pearl", "Raleigh North Hills",
    "Sacramento Midtown", "Salt Lake City Downtown", "San Antonio Pearl",
    "San Diego Fashion Valley",
    "San Francisco Union Square", "San Jose Santana Row", "Seattle Capitol Hill",
    "Seattle University Village", "Tampa Hyde Park", "Washington Georgetown", "Online Outlet",
    "Honolulu Ala Moana",
)  # fmt: skip

EMAIL_DOMAINS = (
    ("gmail.com", 44), ("yahoo.com", 12), ("hotmail.com", 8), ("outlook.com", 8), ("icloud.com", 9),
    ("aol.com", 3), ("proton.me", 2), ("comcast.net", 3), ("msn.com", 2), ("example.org", 1),
    ("fastmail.com", 1), ("me.com", 2), ("live.com", 2), ("att.net", 2), ("verizon.net", 1),
)  # fmt: skip
