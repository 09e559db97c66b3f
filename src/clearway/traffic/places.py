"""Where the synthetic traffic goes and comes from: destinations, entry points, people and origins.

Data only. Destinations are the EU member states with their goods locations (UN/LOCODEs, checked
against `shared/data/reference`: `GOODS_LOCATIONS`), the offices of entry there, and the names,
streets, postcodes and phone numbers of their consumers. Origins are the seller countries with their
shares, currencies, seller hubs and local hour of lodgement. See `docs/traffic-generator.md`.
"""

from __future__ import annotations

from dataclasses import dataclass

from clearway.traffic.draw import cumulative

# fmt: off
# --------------------------------------------------------------------------------------------------
# Destinations (EU member states), their entry points and their consumers

# (country, share of EU e-commerce imports, air, post, road, rail) -- LOCODE lists are (code, weight).
# Shares follow population x online cross-border buying; air locations are the express/cargo hubs,
# post locations carry the UN/LOCODE function 5 (postal exchange) where the country has one.
_Loc = tuple[tuple[str, float], ...]
DESTINATIONS: tuple[tuple[str, float, _Loc, _Loc, _Loc, _Loc], ...] = (
    ("DE", 19.0, (("DELEJ", 35), ("DEFRA", 35), ("DECGN", 20), ("DEMUC", 10)),
     (("DEFRA", 60), ("DECGN", 20), ("DELEJ", 20)), (("DEFRA", 40), ("DEHAM", 30), ("DECGN", 30)),
     (("DEDUI", 70), ("DEHAM", 30))),
    ("FR", 15.5, (("FRCDG", 85), ("FRLYS", 10), ("FRMRS", 5)), (("FRPAR", 1),), (("FRPAR", 60), ("FRLIL",
                                                                                                 40)), ()),
    ("IT", 10.0, (("ITMXP", 60), ("ITFCO", 25), ("ITBGO", 15)), (("ITMIL", 60), ("ITROM", 40)), (("ITMIL",
                                                                                                  1),), ()),
    ("ES", 10.0, (("ESMAD", 60), ("ESBCN", 30), ("ESZAZ", 10)), (("ESMAD", 70), ("ESBCN", 30)),
     (("ESMAD", 60), ("ESBCN", 40)), ()),
    ("NL", 8.5, (("NLAMS", 90), ("NLMST", 10)), (("NLAMS", 1),), (("NLVEN", 50), ("NLRTM", 30), ("NLUTC",
                                                                                                 20)),
     (("NLVEN", 1),)),
    ("PL", 7.5, (("PLWAW", 60), ("PLKTW", 25), ("PLPOZ", 15)), (("PLKTW", 1),), (("PLWAW", 60), ("PLKTW",
                                                                                                 40)),
     (("PLMAA", 70), ("PLWAW", 30))),
    ("BE", 4.0, (("BELGG", 60), ("BEBRU", 40)), (("BEANR", 1),), (("BEANR", 50), ("BEBRU", 50)), ()),
    ("SE", 3.5, (("SEARN", 70), ("SEGOT", 20), ("SEMMX", 10)), (("SESTO", 70), ("SEGOT", 30)), (("SEMMA",
                                                                                                 1),), ()),
    ("AT", 3.0, (("ATVIE", 1),), (("ATVIE", 1),), (("ATLNZ", 60), ("ATGRZ", 40)), ()),
    ("IE", 2.5, (("IEDUB", 85), ("IESNN", 15)), (("IEDUB", 70), ("IEPTL", 30)), (("IEPTL", 1),), ()),
    ("CZ", 2.5, (("CZPRG", 1),), (("CZPRG", 1),), (("CZPRG", 70), ("CZBRQ", 30)), (("CZPRG", 1),)),
    ("PT", 2.0, (("PTLIS", 80), ("PTOPO", 20)), (("PTLIS", 1),), (("PTLIS", 60), ("PTOPO", 40)), ()),
    ("DK", 2.0, (("DKCPH", 80), ("DKBLL", 20)), (("DKCPH", 1),), (("DKCPH", 60), ("DKODE", 40)), ()),
    ("RO", 2.0, (("ROOTP", 1),), (("ROBUH", 1),), (("ROOTI", 1),), ()),
    ("HU", 1.5, (("HUBUD", 1),), (("HUBUD", 1),), (("HUBUA", 1),), ()),
    ("GR", 1.5, (("GRATH", 1),), (("GRATH", 1),), (("GRAPP", 1),), ()),
    # FI's one LOCODE with function 5 is a village: mail goes through Vantaa.
    ("FI", 1.5, (("FIVAT", 1),), (("FIVAT", 1),), (("FIVAT", 1),), ()),
    ("SK", 1.0, (("SKBTS", 1),), (("SKBTS", 1),), (("SKBTS", 1),), ()),
    ("BG", 0.8, (("BGSOF", 1),), (("BGSOF", 1),), (("BGKAN", 1),), ()),
    ("HR", 0.8, (("HRZAG", 1),), (("HRZAG", 1),), (("HRZAG", 1),), ()),
    ("LT", 0.6, (("LTVNO", 1),), (("LTVNO", 1),), (("LTVIL", 1),), ()),
    ("SI", 0.5, (("SILJU", 1),), (("SILJU", 1),), (("SIBRN", 1),), ()),
    ("LV", 0.4, (("LVRIX", 1),), (("LVRIX", 1),), (), ()),
    ("EE", 0.4, (("EETLL", 1),), (("EETLL", 1),), (), ()),
    ("LU", 0.3, (("LULUX", 1),), (("LULUX", 1),), (("LUBET", 1),), ()),
    ("CY", 0.2, (("CYLCA", 1),), (("CYNIC", 1),), (), ()),
    ("MT", 0.2, (("MTMLA", 1),), (("MTMLA", 1),), (), ()),
)
DESTINATION_COUNTRIES = frozenset(d[0] for d in DESTINATIONS)
# The office of entry is the location's LOCODE plus a suffix naming the role of the office there;
# the digit mirrors the UN/LOCODE function code of the transport mode.
OFFICE_SUFFIX = {"air": "004", "post": "005", "road": "003", "rail": "002"}


def _loc_table(locs: _Loc) -> tuple[tuple[str, ...], list[float]]:
    return tuple(code for code, _ in locs), cumulative([w for _, w in locs])


LOCATIONS: dict[tuple[str, str], tuple[tuple[str, ...], list[float]]] = {}
for _d in DESTINATIONS:
    for _mode, _locs in zip(("air", "post", "road", "rail"), _d[2:], strict=True):
        if _locs:
            LOCATIONS[(_d[0], _mode)] = _loc_table(_locs)
GOODS_LOCATIONS = frozenset(code for codes, _ in LOCATIONS.values() for code in codes)
RAIL_DESTS = frozenset(c for c, m in LOCATIONS if m == "rail")

# Person names by language: (female first names, male first names, (male, female) surname pairs).
_Names = tuple[tuple[str, ...], tuple[str, ...], tuple[tuple[str, str], ...]]


def _same(*surnames: str) -> tuple[tuple[str, str], ...]:
    return tuple((s, s) for s in surnames)


def _pairs(*pairs: str) -> tuple[tuple[str, str], ...]:
    return tuple((p.split("/")[0], p.split("/")[1]) for p in pairs)


NAMES: dict[str, _Names] = {
    "de": (("Anna", "Julia", "Laura", "Sophie", "Lena", "Marie", "Katharina", "Sarah", "Lisa", "Hannah",
            "Sabine"),
           ("Lukas", "Leon", "Felix", "Jonas", "Maximilian", "Paul", "Tobias", "Jan", "Niklas", "Tim",
            "Thomas"),
           _same("Müller", "Schmidt", "Schneider", "Fischer", "Weber", "Meyer", "Wagner", "Becker", "Schulz",
                 "Hoffmann", "Koch", "Richter", "Klein", "Wolf", "Schröder", "Neumann", "Schwarz",
                 "Zimmermann",
                 "Braun", "Krüger", "Hartmann", "Lange", "Werner", "Krause", "Kaya", "Nowak")),
    "fr": (("Camille", "Léa", "Manon", "Chloé", "Emma", "Inès", "Sarah", "Mathilde", "Pauline", "Yasmine"),
           ("Lucas", "Hugo", "Louis", "Nathan", "Thomas", "Julien", "Nicolas", "Antoine", "Maxime",
            "Clément"),
           _same("Martin", "Bernard", "Dubois", "Thomas", "Robert", "Richard", "Petit", "Durand", "Leroy",
                 "Moreau", "Simon", "Laurent", "Lefebvre", "Michel", "Garcia", "David", "Bertrand", "Roux",
                 "Vincent", "Fournier", "Morel", "Girard", "Benali", "Nguyen")),
    "nl": (("Emma", "Julia", "Tess", "Sophie", "Anna", "Mila", "Sanne", "Lotte", "Fleur", "Eva"),
           ("Daan", "Sem", "Lucas", "Levi", "Finn", "Bram", "Thijs", "Ruben", "Jesse", "Noah"),
           _same("de Jong", "Jansen", "de Vries", "van den Berg", "van Dijk", "Bakker", "Janssen", "Visser",
                 "Smit", "Meijer", "de Boer", "Mulder", "de Groot", "Bos", "Vos", "Peters", "Hendriks",
                 "van Leeuwen", "Dekker", "Brouwer", "Claes", "Maes", "Peeters", "Willems")),
    "it": (("Giulia", "Sofia", "Martina", "Chiara", "Federica", "Giorgia", "Elena", "Sara", "Valentina",
            "Alessia"),
           ("Francesco", "Alessandro", "Lorenzo", "Matteo", "Andrea", "Luca", "Marco", "Davide", "Simone",
            "Riccardo"),
           _same("Rossi", "Russo", "Ferrari", "Esposito", "Bianchi", "Romano", "Colombo", "Ricci", "Marino",
                 "Greco", "Bruno", "Gallo", "Conti", "De Luca", "Mancini", "Costa", "Giordano", "Rizzo",
                 "Lombardi", "Moretti")),
    "es": (("Lucía", "Martina", "Sofía", "María", "Paula", "Carmen", "Laura", "Marta", "Elena", "Irene"),
           ("Hugo", "Daniel", "Pablo", "Alejandro", "Javier", "David", "Sergio", "Carlos", "Adrián",
            "Álvaro"),
           _same("García", "Rodríguez", "González", "Fernández", "López", "Martínez", "Sánchez", "Pérez",
                 "Gómez", "Martín", "Jiménez", "Ruiz", "Hernández", "Díaz", "Moreno", "Muñoz", "Álvarez",
                 "Romero", "Navarro", "Torres")),
    "pl": (("Anna", "Katarzyna", "Maria", "Małgorzata", "Agnieszka", "Zuzanna", "Julia", "Aleksandra",
            "Natalia",
            "Magdalena"),
           ("Piotr", "Krzysztof", "Tomasz", "Paweł", "Michał", "Marcin", "Kamil", "Jakub", "Mateusz",
            "Bartosz"),
           _pairs("Nowak/Nowak", "Kowalski/Kowalska", "Wiśniewski/Wiśniewska", "Wójcik/Wójcik",
                  "Kowalczyk/Kowalczyk", "Kamiński/Kamińska", "Lewandowski/Lewandowska",
                  "Zieliński/Zielińska",
                  "Szymański/Szymańska", "Woźniak/Woźniak", "Dąbrowski/Dąbrowska", "Kozłowski/Kozłowska",
                  "Jankowski/Jankowska", "Mazur/Mazur", "Kwiatkowski/Kwiatkowska", "Krawczyk/Krawczyk")),
    "sv": (("Emma", "Maja", "Alice", "Elsa", "Olivia", "Karin", "Sara", "Linnea", "Ebba", "Anna"),
           ("William", "Oscar", "Lucas", "Hugo", "Elias", "Erik", "Anders", "Lars", "Johan", "Axel"),
           _same("Andersson", "Johansson", "Karlsson", "Nilsson", "Eriksson", "Larsson", "Olsson", "Persson",
                 "Svensson", "Gustafsson", "Pettersson", "Jonsson", "Lindberg", "Lindström", "Berg", "Ali")),
    "da": (("Emma", "Ida", "Clara", "Freja", "Sofie", "Mette", "Anne", "Camilla", "Line", "Julie"),
           ("William", "Noah", "Oscar", "Lucas", "Magnus", "Lars", "Henrik", "Søren", "Mads", "Rasmus"),
           _same("Nielsen", "Jensen", "Hansen", "Pedersen", "Andersen", "Christensen", "Larsen", "Sørensen",
                 "Rasmussen", "Jørgensen", "Petersen", "Madsen", "Kristensen", "Olsen", "Thomsen", "Møller")),
    "fi": (("Aino", "Helmi", "Emilia", "Sofia", "Venla", "Anna", "Laura", "Sanna", "Kaisa", "Riikka"),
           ("Eino", "Väinö", "Onni", "Leo", "Elias", "Mikko", "Jukka", "Juha", "Timo", "Matti"),
           _same("Korhonen", "Virtanen", "Mäkinen", "Nieminen", "Mäkelä", "Hämäläinen", "Laine", "Heikkinen",
                 "Koskinen", "Järvinen", "Lehtonen", "Saarinen", "Salminen", "Heinonen", "Niemi", "Turunen")),
    "en": (("Emily", "Grace", "Sophie", "Aoife", "Ciara", "Niamh", "Saoirse", "Mary", "Chloe", "Sarah"),
           ("Jack", "James", "Noah", "Conor", "Seán", "Liam", "Cian", "Oisín", "Patrick", "Daniel"),
           _same("Murphy", "Kelly", "O'Sullivan", "Walsh", "Smith", "O'Brien", "Byrne", "Ryan", "O'Connor",
                 "O'Neill", "Doyle", "McCarthy", "Gallagher", "Kennedy", "Lynch", "Murray", "Quinn",
                 "Moore")),
    "mt": (("Maria", "Sarah", "Julia", "Nicole", "Martina", "Elena"),
           ("Joseph", "Luke", "Michael", "Matthew", "Daniel", "Jean"),
           _same("Borg", "Camilleri", "Vella", "Farrugia", "Zammit", "Galea", "Micallef", "Grech", "Attard",
                 "Spiteri")),
    "pt": (("Maria", "Ana", "Beatriz", "Leonor", "Matilde", "Inês", "Carolina", "Mariana", "Rita", "Sofia"),
           ("João", "Francisco", "Santiago", "Tomás", "Afonso", "Rodrigo", "Pedro", "Diogo", "Miguel",
            "Tiago"),
           _same("Silva", "Santos", "Ferreira", "Pereira", "Oliveira", "Costa", "Rodrigues", "Martins",
                 "Sousa",
                 "Fernandes", "Gonçalves", "Gomes", "Lopes", "Marques", "Alves", "Almeida", "Ribeiro",
                 "Pinto")),
    "cs": (("Eliška", "Tereza", "Anna", "Adéla", "Lucie", "Kateřina", "Jana", "Veronika", "Michaela",
            "Barbora"),
           ("Jan", "Jakub", "Tomáš", "Petr", "Martin", "Lukáš", "Pavel", "Ondřej", "David", "Filip"),
           _pairs("Novák/Nováková", "Svoboda/Svobodová", "Novotný/Novotná", "Dvořák/Dvořáková",
                  "Černý/Černá", "Procházka/Procházková", "Kučera/Kučerová", "Veselý/Veselá",
                  "Horák/Horáková", "Němec/Němcová")),
    "sk": (("Jana", "Mária", "Zuzana", "Katarína", "Lucia", "Monika", "Eva", "Simona"),
           ("Ján", "Peter", "Martin", "Lukáš", "Tomáš", "Michal", "Jozef", "Marek"),
           _pairs("Horváth/Horváthová", "Kováč/Kováčová", "Varga/Vargová", "Tóth/Tóthová", "Nagy/Nagyová",
                  "Baláž/Balážová", "Molnár/Molnárová", "Lukáč/Lukáčová", "Novák/Nováková")),
    "hu": (("Anna", "Eszter", "Zsófia", "Katalin", "Réka", "Dóra", "Viktória", "Noémi"),
           ("László", "István", "Gábor", "Péter", "Bence", "Máté", "Zoltán", "Attila"),
           _same("Nagy", "Kovács", "Tóth", "Szabó", "Horváth", "Varga", "Kiss", "Molnár", "Németh",
                 "Farkas")),
    "ro": (("Maria", "Elena", "Ioana", "Andreea", "Alexandra", "Ana", "Cristina", "Mihaela"),
           ("Andrei", "Alexandru", "Ion", "Mihai", "Gabriel", "Ștefan", "Florin", "Cristian"),
           _same("Popescu", "Ionescu", "Popa", "Pop", "Radu", "Dumitru", "Stan", "Stoica", "Gheorghe",
                 "Matei")),
    "el": (("Maria", "Eleni", "Aikaterini", "Vasiliki", "Sofia", "Georgia", "Dimitra", "Anna"),
           ("Georgios", "Ioannis", "Konstantinos", "Dimitrios", "Nikolaos", "Panagiotis", "Christos",
            "Andreas"),
           _pairs("Papadopoulos/Papadopoulou", "Papadakis/Papadaki", "Georgiou/Georgiou",
                  "Oikonomou/Oikonomou", "Nikolaidis/Nikolaidou", "Vlachos/Vlachou", "Pappas/Pappa",
                  "Dimitriou/Dimitriou", "Karagiannis/Karagianni", "Christodoulou/Christodoulou")),
    "bg": (("Maria", "Ivana", "Elena", "Desislava", "Gergana", "Viktoria"),
           ("Georgi", "Ivan", "Dimitar", "Nikolay", "Petar", "Hristo"),
           _pairs("Ivanov/Ivanova", "Georgiev/Georgieva", "Dimitrov/Dimitrova", "Petrov/Petrova",
                  "Nikolov/Nikolova", "Hristov/Hristova", "Stoyanov/Stoyanova", "Todorov/Todorova")),
    "hr": (("Ana", "Marija", "Ivana", "Petra", "Lucija", "Maja"),
           ("Ivan", "Luka", "Marko", "Josip", "Tomislav", "Filip"),
           _same("Horvat", "Kovačević", "Babić", "Marić", "Jurić", "Novak", "Kovačić", "Knežević")),
    "sl": (("Maja", "Nina", "Eva", "Ana", "Sara", "Petra"),
           ("Luka", "Jan", "Nejc", "Matej", "Žiga", "Anže"),
           _same("Novak", "Horvat", "Kovačič", "Krajnc", "Zupančič", "Potočnik", "Kovač", "Mlakar")),
    "lt": (("Ugnė", "Emilija", "Gabija", "Austėja", "Rūta", "Jurgita"),
           ("Jonas", "Lukas", "Matas", "Mantas", "Tomas", "Darius"),
           _pairs("Kazlauskas/Kazlauskienė", "Jankauskas/Jankauskienė", "Petrauskas/Petrauskienė",
                  "Stankevičius/Stankevičienė", "Vasiliauskas/Vasiliauskienė", "Žukauskas/Žukauskienė")),
    "lv": (("Anna", "Marta", "Laura", "Elīza", "Sofija", "Līga"),
           ("Jānis", "Andris", "Mārtiņš", "Roberts", "Kristaps", "Edgars"),
           _pairs("Bērziņš/Bērziņa", "Kalniņš/Kalniņa", "Ozols/Ozola", "Jansons/Jansone", "Liepiņš/Liepiņa",
                  "Krūmiņš/Krūmiņa")),
    "et": (("Maria", "Sofia", "Laura", "Kertu", "Liis", "Kadri"),
           ("Rasmus", "Martin", "Markus", "Robin", "Karl", "Andres"),
           _same("Tamm", "Saar", "Sepp", "Mägi", "Kask", "Kukk", "Rebane", "Ilves")),
    # senders of C2C gifts outside the EU
    "us": (("Emily", "Jessica", "Ashley", "Sarah", "Jennifer", "Megan"),
           ("Michael", "Christopher", "Matthew", "Joshua", "David", "Ryan"),
           _same("Smith", "Johnson", "Williams", "Brown", "Jones", "Miller", "Davis", "Wilson", "Anderson",
                 "Taylor")),
    "gb": (("Olivia", "Amelia", "Isla", "Emily", "Charlotte", "Sophie"),
           ("Oliver", "George", "Harry", "Jack", "Thomas", "James"),
           _same("Smith", "Jones", "Taylor", "Brown", "Williams", "Wilson", "Evans", "Thomas", "Khan",
                 "Patel")),
    "tr": (("Zeynep", "Elif", "Ayşe", "Fatma", "Emine", "Merve"),
           ("Mehmet", "Mustafa", "Ahmet", "Ali", "Hüseyin", "Emre"),
           _same("Yılmaz", "Kaya", "Demir", "Şahin", "Çelik", "Yıldız", "Yıldırım", "Öztürk", "Aydın",  # noqa: RUF001
                 "Özdemir")),
    "uk": (("Olena", "Oksana", "Iryna", "Tetiana", "Nataliia", "Yuliia"),
           ("Andrii", "Oleksandr", "Dmytro", "Serhii", "Volodymyr", "Mykola"),
           _same("Shevchenko", "Kovalenko", "Bondarenko", "Tkachenko", "Kravchenko", "Melnyk", "Boiko",
                 "Koval")),
    "in": (("Priya", "Anjali", "Neha", "Pooja", "Divya", "Sneha"),
           ("Rahul", "Amit", "Arjun", "Vikram", "Rohan", "Sanjay"),
           _same("Sharma", "Patel", "Singh", "Kumar", "Gupta", "Reddy", "Nair", "Iyer")),
    "sr": (("Milica", "Jelena", "Ana", "Marija", "Jovana", "Ivana"),
           ("Nikola", "Marko", "Stefan", "Luka", "Miloš", "Aleksandar"),
           _same("Jovanović", "Petrović", "Nikolić", "Marković", "Đorđević", "Stojanović", "Ilić",
                 "Pavlović")),
    "no": (("Nora", "Emma", "Ingrid", "Sara", "Maja", "Ida"),
           ("Jakob", "Emil", "Lars", "Ole", "Henrik", "Magnus"),
           _same("Hansen", "Johansen", "Olsen", "Larsen", "Andersen", "Pedersen", "Nilsen", "Kristiansen")),
}

# Street templates per language; "{n}" is the house number.
STREETS: dict[str, tuple[str, ...]] = {
    "de": ("Hauptstraße {n}", "Bahnhofstraße {n}", "Gartenweg {n}", "Schillerstraße {n}", "Goethestraße {n}",
           "Lindenallee {n}", "Bergstraße {n}", "Am Markt {n}", "Rosenweg {n}", "Kirchgasse {n}",
           "Friedhofstraße {n}", "Waldstraße {n}"),
    "fr": ("{n} rue de la République", "{n} avenue Jean Jaurès", "{n} boulevard Victor Hugo",
           "{n} rue des Lilas",
           "{n} place de l'Église", "{n} chemin des Vignes", "{n} rue Pasteur", "{n} allée des Tilleuls"),
    "nl": ("Kerkstraat {n}", "Dorpsstraat {n}", "Molenweg {n}", "Stationsstraat {n}", "Julianalaan {n}",
           "Lindelaan {n}", "Schoolstraat {n}", "Nieuwstraat {n}"),
    "it": ("Via Roma {n}", "Via Garibaldi {n}", "Corso Italia {n}", "Via Mazzini {n}",
           "Piazza della Libertà {n}",
           "Via Verdi {n}", "Via Dante Alighieri {n}", "Viale Europa {n}"),
    "es": ("Calle Mayor {n}", "Avenida de la Constitución {n}", "Calle Real {n}", "Plaza de España {n}",
           "Calle del Sol {n}", "Calle de Alcalá {n}", "Avenida de Andalucía {n}", "Calle Nueva {n}"),
    "pl": ("ul. Polna {n}", "ul. Lipowa {n}", "ul. Mickiewicza {n}", "ul. Słoneczna {n}",
           "ul. Kościuszki {n}",
           "ul. Leśna {n}", "ul. Ogrodowa {n}", "ul. Kwiatowa {n}"),
    "sv": ("Storgatan {n}", "Kungsgatan {n}", "Skolgatan {n}", "Björkvägen {n}", "Drottninggatan {n}",
           "Ringvägen {n}"),
    "da": ("Vestergade {n}", "Nørregade {n}", "Skolevej {n}", "Birkevej {n}", "Østergade {n}",
           "Søndergade {n}"),
    "fi": ("Mannerheimintie {n}", "Koulukatu {n}", "Rantatie {n}", "Kirkkokatu {n}", "Puistotie {n}"),
    "en": ("{n} Main Street", "{n} Church Road", "{n} Oak Park", "{n} Station Road", "{n} Castle View",
           "{n} Green Lane"),
    "mt": ("{n}, Triq il-Kbira", "{n}, Triq San Pawl", "{n}, Triq ir-Repubblika"),
    "pt": ("Rua Augusta {n}", "Avenida da Liberdade {n}", "Rua do Carmo {n}", "Rua da Alegria {n}",
           "Rua de Santa Catarina {n}"),
    "cs": ("Husova {n}", "Nádražní {n}", "Palackého {n}", "Masarykova {n}", "Školní {n}"),
    "sk": ("Hlavná {n}", "Štúrova {n}", "Školská {n}", "Záhradná {n}", "Mierová {n}"),
    "hu": ("Petőfi utca {n}", "Kossuth Lajos utca {n}", "Ady Endre út {n}", "Rákóczi út {n}", "Fő utca {n}"),
    "ro": ("Strada Mihai Eminescu {n}", "Bulevardul Unirii {n}", "Strada Victoriei {n}",
           "Strada Florilor {n}"),
    "el": ("Odos Ermou {n}", "Leoforos Vasilissis Sofias {n}", "Odos Egnatia {n}", "Odos Athinas {n}"),
    "bg": ("ul. Vasil Levski {n}", "bul. Tsar Osvoboditel {n}", "ul. Rakovski {n}", "ul. Shipka {n}"),
    "hr": ("Ilica {n}", "Vukovarska ulica {n}", "Zagrebačka cesta {n}", "Ulica kralja Tomislava {n}"),
    "sl": ("Slovenska cesta {n}", "Trubarjeva cesta {n}", "Celovška cesta {n}", "Partizanska ulica {n}"),
    "lt": ("Gedimino pr. {n}", "Laisvės al. {n}", "Vilniaus g. {n}", "Savanorių pr. {n}"),
    "lv": ("Brīvības iela {n}", "Elizabetes iela {n}", "Lāčplēša iela {n}", "Krišjāņa Barona iela {n}"),
    "et": ("Narva mnt {n}", "Pärnu mnt {n}", "Tartu mnt {n}", "Sõpruse pst {n}"),
    "us": ("{n} Maple Street", "{n} Oak Avenue", "{n} Washington Blvd", "{n} Park Drive", "{n} Elm Court"),
    "gb": ("{n} High Street", "{n} Station Road", "{n} Victoria Road", "{n} Church Lane", "{n} Mill Road"),
    "tr": ("Atatürk Cad. No: {n}", "Cumhuriyet Mah. {n}. Sokak", "İstiklal Cad. No: {n}",
           "Bağdat Cad. No: {n}"),
    "uk": ("vul. Shevchenka {n}", "vul. Franka {n}", "prosp. Peremohy {n}", "vul. Sadova {n}"),
    "in": ("{n}, MG Road", "{n}, Nehru Nagar", "{n}, Station Road", "{n}, Gandhi Marg"),
    "sr": ("Bulevar kralja Aleksandra {n}", "Knez Mihailova {n}", "Nemanjina {n}", "Cara Dušana {n}"),
    "no": ("Storgata {n}", "Kirkeveien {n}", "Skolegata {n}", "Parkveien {n}"),
    # seller addresses in origins that have no consumers here
    "kr": ("{n} Teheran-ro, Gangnam-gu", "{n} Gangnam-daero", "{n} Sejong-daero, Jung-gu"),
    "jp": ("{n}-chome, Shibuya", "{n}-chome, Nihonbashi", "{n}-chome, Namba"),
    "vn": ("{n} Nguyen Hue Street", "{n} Le Loi Street", "{n} Tran Hung Dao Street"),
    "tw": ("No. {n}, Zhongxiao East Road", "No. {n}, Xinyi Road", "No. {n}, Taiwan Boulevard"),
    "sg": ("{n} Ubi Avenue 1", "{n} Jurong West Street 42", "{n} Kallang Way"),
    "ca": ("{n} King Street West", "{n} Rue Sainte-Catherine", "{n} Granville Street"),
    "au": ("{n} George Street", "{n} Collins Street", "{n} Parramatta Road"),
    "il": ("{n} Rothschild Blvd", "{n} Herzl Street", "{n} HaAtzmaut Road"),
    "th": ("{n} Sukhumvit Road", "{n} Silom Road", "{n} Rama IV Road"),
    "ae": ("Office {n}, Dubai Silicon Oasis", "Warehouse {n}, Jebel Ali Free Zone"),
    "ch": ("Bahnhofstrasse {n}", "Industriestrasse {n}", "Seestrasse {n}"),
}

# Consumer cities by destination: (city, postcode template, language, weight). Templates: "#" a digit,
# "@" a letter, "%" an Eircode character.
_City = tuple[str, str, str, float]
CITIES: dict[str, tuple[_City, ...]] = {
    "DE": (("Berlin", "10###", "de", 9), ("Berlin", "12###", "de", 5), ("Hamburg", "22###", "de", 6),
           ("München", "80###", "de", 5), ("Köln", "50###", "de", 4), ("Frankfurt am Main", "60###", "de", 3),
           ("Stuttgart", "70###", "de", 3), ("Düsseldorf", "40###", "de", 3), ("Leipzig", "04###", "de", 2.5),
           ("Dortmund", "44###", "de", 2.5), ("Essen", "45###", "de", 2.5), ("Bremen", "28###", "de", 2),
           ("Dresden", "01###", "de", 2), ("Hannover", "30###", "de", 2), ("Nürnberg", "90###", "de", 2),
           ("Bielefeld", "33###", "de", 1.5), ("Freiburg im Breisgau", "79###", "de", 1)),
    "FR": (("Paris", "750##", "fr", 10), ("Marseille", "130##", "fr", 4), ("Lyon", "6900#", "fr", 3.5),
           ("Toulouse", "310##", "fr", 3), ("Nice", "060##", "fr", 2.5), ("Nantes", "440##", "fr", 2.5),
           ("Strasbourg", "670##", "fr", 2), ("Montpellier", "340##", "fr", 2), ("Bordeaux", "330##", "fr",
                                                                                 2),
           ("Lille", "590##", "fr", 2), ("Rennes", "350##", "fr", 1.5), ("Saint-Denis", "932##", "fr", 1.5)),
    "IT": (("Roma", "001##", "it", 8), ("Milano", "201##", "it", 7), ("Napoli", "801##", "it", 5),
           ("Torino", "101##", "it", 4), ("Palermo", "901##", "it", 3), ("Genova", "161##", "it", 2.5),
           ("Bologna", "401##", "it", 2.5), ("Firenze", "501##", "it", 2.5), ("Bari", "701##", "it", 2),
           ("Catania", "951##", "it", 2), ("Verona", "371##", "it", 1.5)),
    "ES": (("Madrid", "280##", "es", 9), ("Barcelona", "080##", "es", 7), ("Valencia", "460##", "es", 4),
           ("Sevilla", "410##", "es", 3.5), ("Zaragoza", "500##", "es", 2.5), ("Málaga", "290##", "es", 2.5),
           ("Murcia", "300##", "es", 2), ("Bilbao", "480##", "es", 2), ("Alicante", "030##", "es", 2),
           ("Palma", "070##", "es", 1.5)),
    "NL": (("Amsterdam", "10## @@", "nl", 6), ("Rotterdam", "30## @@", "nl", 5), ("Den Haag", "25## @@", "nl",
                                                                                  4),
           ("Utrecht", "35## @@", "nl", 3.5), ("Eindhoven", "56## @@", "nl", 2.5), ("Groningen", "97## @@",
                                                                                    "nl", 2),
           ("Tilburg", "50## @@", "nl", 2), ("Almere", "13## @@", "nl", 2), ("Breda", "48## @@", "nl", 1.5)),
    "PL": (("Warszawa", "0#-###", "pl", 8), ("Kraków", "3#-###", "pl", 5), ("Łódź", "9#-###", "pl", 4),
           ("Wrocław", "5#-###", "pl", 4), ("Poznań", "6#-###", "pl", 3), ("Gdańsk", "80-###", "pl", 3),
           ("Szczecin", "7#-###", "pl", 2), ("Lublin", "20-###", "pl", 2), ("Katowice", "40-###", "pl", 2)),
    "BE": (("Bruxelles", "10##", "fr", 5), ("Antwerpen", "20##", "nl", 5), ("Gent", "90##", "nl", 3),
           ("Charleroi", "60##", "fr", 2), ("Liège", "40##", "fr", 2), ("Brugge", "80##", "nl", 1.5),
           ("Namur", "50##", "fr", 1), ("Leuven", "30##", "nl", 1.5)),
    "SE": (("Stockholm", "11# ##", "sv", 6), ("Göteborg", "41# ##", "sv", 4), ("Malmö", "21# ##", "sv", 3),
           ("Uppsala", "75# ##", "sv", 2), ("Västerås", "72# ##", "sv", 1.5), ("Örebro", "70# ##", "sv",
                                                                               1.5)),
    "AT": (("Wien", "1##0", "de", 8), ("Graz", "80##", "de", 3), ("Linz", "40##", "de", 2.5),
           ("Salzburg", "50##", "de", 2), ("Innsbruck", "60##", "de", 1.5)),
    "IE": (("Dublin", "D0# %%%%", "en", 6), ("Dublin", "D1# %%%%", "en", 4), ("Cork", "T12 %%%%", "en", 3),
           ("Galway", "H91 %%%%", "en", 1.5), ("Limerick", "V94 %%%%", "en", 1.5),
           ("Waterford", "X91 %%%%", "en", 1)),
    "CZ": (("Praha", "1## ##", "cs", 6), ("Brno", "6## ##", "cs", 3), ("Ostrava", "7## ##", "cs", 2),
           ("Plzeň", "3## ##", "cs", 1.5)),
    "PT": (("Lisboa", "1###-###", "pt", 5), ("Porto", "4###-###", "pt", 4), ("Braga", "47##-###", "pt", 1.5),
           ("Coimbra", "30##-###", "pt", 1)),
    "DK": (("København", "1###", "da", 4), ("København", "2###", "da", 3), ("Aarhus", "80##", "da", 3),
           ("Odense", "50##", "da", 2), ("Aalborg", "90##", "da", 1.5)),
    "RO": (("București", "0#####", "ro", 6), ("Cluj-Napoca", "400###", "ro", 2), ("Timișoara", "300###", "ro",
                                                                                  2),
           ("Iași", "700###", "ro", 2), ("Constanța", "900###", "ro", 1.5)),
    "HU": (("Budapest", "1###", "hu", 6), ("Debrecen", "40##", "hu", 1.5), ("Szeged", "67##", "hu", 1.5),
           ("Miskolc", "35##", "hu", 1), ("Pécs", "76##", "hu", 1)),
    "GR": (("Athína", "10# ##", "el", 5), ("Athína", "11# ##", "el", 3), ("Thessaloníki", "54# ##", "el", 3),
           ("Pátra", "26# ##", "el", 1), ("Irákleio", "71# ##", "el", 1)),
    "FI": (("Helsinki", "00###", "fi", 5), ("Espoo", "02###", "fi", 2.5), ("Tampere", "33###", "fi", 2),
           ("Vantaa", "01###", "fi", 2), ("Oulu", "90###", "fi", 1.5), ("Turku", "20###", "fi", 1.5)),
    "SK": (("Bratislava", "8## ##", "sk", 4), ("Košice", "040 ##", "sk", 2), ("Žilina", "010 ##", "sk", 1)),
    "BG": (("Sofia", "1###", "bg", 5), ("Plovdiv", "4###", "bg", 2), ("Varna", "9###", "bg", 2)),
    "HR": (("Zagreb", "10###", "hr", 5), ("Split", "21###", "hr", 2), ("Rijeka", "51###", "hr", 1.5)),
    "LT": (("Vilnius", "LT-0####", "lt", 4), ("Vilnius", "LT-1####", "lt", 2), ("Kaunas", "LT-4####", "lt",
                                                                                2.5)),
    "SI": (("Ljubljana", "1###", "sl", 4), ("Maribor", "2###", "sl", 2)),
    "LV": (("Rīga", "LV-10##", "lv", 5), ("Daugavpils", "LV-54##", "lv", 1)),
    "EE": (("Tallinn", "1####", "et", 5), ("Tartu", "5####", "et", 2)),
    "LU": (("Luxembourg", "L-1###", "fr", 4), ("Esch-sur-Alzette", "L-4###", "fr", 1.5)),
    "CY": (("Lefkosia", "1###", "el", 2), ("Lemesos", "3###", "el", 2), ("Larnaka", "6###", "el", 1)),
    "MT": (("Valletta", "VLT ####", "mt", 1), ("Sliema", "SLM ####", "mt", 1.5), ("Birkirkara", "BKR ####",
                                                                                  "mt", 1.5)),
}

PHONES: dict[str, str] = {
    "DE": "+49 15# #######", "FR": "+33 6 ## ## ## ##", "IT": "+39 3## ### ####", "ES": "+34 6## ### ###",
    "NL": "+31 6 ########", "PL": "+48 ### ### ###", "BE": "+32 4## ## ## ##", "SE": "+46 7# ### ## ##",
    "AT": "+43 6## #######", "IE": "+353 8# ### ####", "CZ": "+420 7## ### ###", "PT": "+351 9## ### ###",
    "DK": "+45 ## ## ## ##", "RO": "+40 7## ### ###", "HU": "+36 ## ### ####", "GR": "+30 69# ### ####",
    "FI": "+358 4# ### ####", "SK": "+421 9## ### ###", "BG": "+359 8# ### ####", "HR": "+385 9# ### ####",
    "LT": "+370 6## #####", "SI": "+386 ## ### ###", "LV": "+371 2# ### ###", "EE": "+372 5### ####",
    "LU": "+352 6## ### ###", "CY": "+357 9# ######", "MT": "+356 9### ####",
}
MAIL_DOMAINS = ("example.com", "example.net", "example.org")  # reserved (RFC 2606): never a real inbox


# --------------------------------------------------------------------------------------------------
# Origins


@dataclass(frozen=True, slots=True)
class Origin:
    code: str
    weight: float  # share of commercial parcels, percent
    utc_offset: float  # hours; November, so no summer time in the north
    currencies: tuple[tuple[str, float], ...]
    goods_origin: tuple[tuple[str, float], ...]
    sellers: int
    categories: tuple[tuple[str, float], ...]  # empty: the global mix
    cities: tuple[tuple[str, str, float, str], ...]  # city, postcode template, weight, CN region code
    streets: str  # key into STREETS for street addresses there


ORIGINS: tuple[Origin, ...] = (
    Origin("CN", 73.5, 8, (("EUR", 78), ("USD", 17), ("CNY", 5)), (("CN", 1),), 420, (),
           (("Shenzhen", "518###", 30, "440300"), ("Guangzhou", "510###", 18, "440100"),
            ("Yiwu", "322###", 12, "330782"), ("Dongguan", "523###", 8, "441900"),
            ("Hangzhou", "310###", 8, "330100"), ("Shanghai", "200###", 7, "310115"),
            ("Ningbo", "315###", 5, "330200"), ("Xiamen", "361###", 4, "350200"),
            ("Quanzhou", "362###", 5, "350500"), ("Suzhou", "215###", 3, "320500")), "cn"),
    Origin("US", 5.5, -6, (("USD", 65), ("EUR", 35)), (("US", 45), ("CN", 45), ("VN", 5), ("MX", 5)), 50,
           (("apparel", 20), ("beauty", 15), ("electronics", 15), ("books", 8), ("sports", 10), ("auto", 8),
            ("health", 8), ("accessories", 10), ("home", 6)),
           (("Los Angeles, CA", "900##", 3, ""), ("New York, NY", "100##", 3, ""), ("Miami, FL", "331##", 2,
                                                                                    ""),
            ("Dallas, TX", "752##", 2, ""), ("Chicago, IL", "606##", 2, ""), ("Seattle, WA", "981##", 1.5,
                                                                              ""),
            ("Atlanta, GA", "303##", 1.5, ""), ("Newark, NJ", "071##", 1.5, "")), "us"),
    Origin("GB", 4.5, 0, (("GBP", 60), ("EUR", 40)), (("GB", 35), ("CN", 50), ("IN", 5), ("TR", 5), ("IT",
                                                                                                     5)), 45,
           (("apparel", 30), ("beauty", 15), ("books", 8), ("accessories", 15), ("home", 12), ("footwear",
                                                                                               10),
            ("toys", 5), ("auto", 5)),
           (("London", "E1 #@@", 3, ""), ("London", "SE1# #@@", 2, ""), ("Manchester", "M# #@@", 2, ""),
            ("Birmingham", "B# #@@", 2, ""), ("Leeds", "LS# #@@", 1.5, ""), ("Glasgow", "G# #@@", 1.5, ""),
            ("Leicester", "LE# #@@", 1, ""), ("Bristol", "BS# #@@", 1, "")), "gb"),
    Origin("HK", 4.0, 8, (("EUR", 60), ("USD", 40)), (("CN", 85), ("HK", 15)), 40,
           (("electronics", 30), ("accessories", 20), ("apparel", 20), ("toys", 10), ("beauty", 10), ("home",
                                                                                                      10)),
           (("Hong Kong", "", 1, ""),), "hk"),
    Origin("TR", 2.5, 3, (("EUR", 80), ("USD", 20)), (("TR", 90), ("CN", 10)), 25,
           (("apparel", 45), ("footwear", 15), ("home", 20), ("accessories", 10), ("bags", 10)),
           (("İstanbul", "34###", 5, ""), ("İzmir", "35###", 2, ""), ("Bursa", "16###", 1.5, ""),
            ("Denizli", "20###", 1, ""), ("Ankara", "06###", 1.5, ""), ("Gaziantep", "27###", 1, "")), "tr"),
    Origin("KR", 2.0, 9, (("EUR", 60), ("USD", 40)), (("KR", 85), ("CN", 15)), 20,
           (("beauty", 55), ("apparel", 20), ("electronics", 15), ("accessories", 10)),
           (("Seoul", "0####", 5, ""), ("Incheon", "22###", 2, ""), ("Busan", "48###", 1.5, "")), "kr"),
    Origin("JP", 1.2, 9, (("EUR", 50), ("USD", 50)), (("JP", 80), ("CN", 20)), 15,
           (("toys", 30), ("books", 20), ("beauty", 15), ("electronics", 15), ("home", 10), ("accessories",
                                                                                             10)),
           (("Tokyo", "1##-####", 4, ""), ("Osaka", "5##-####", 2, ""), ("Nagoya", "45#-####", 1, "")),
           "jp"),
    Origin("IN", 1.0, 5.5, (("EUR", 50), ("USD", 50)), (("IN", 1),), 12,
           (("apparel", 45), ("accessories", 20), ("home", 20), ("beauty", 15)),
           (("Mumbai", "400###", 3, ""), ("New Delhi", "110###", 3, ""), ("Jaipur", "302###", 2, ""),
            ("Surat", "395###", 1.5, ""), ("Tiruppur", "641###", 1.5, "")), "in"),
    Origin("VN", 1.0, 7, (("EUR", 60), ("USD", 40)), (("VN", 90), ("CN", 10)), 10,
           (("apparel", 50), ("footwear", 30), ("bags", 20)),
           (("Ho Chi Minh City", "70####", 3, ""), ("Hanoi", "10####", 2, "")), "vn"),
    Origin("CH", 1.0, 1, (("EUR", 85), ("USD", 15)), (("CH", 50), ("CN", 30), ("DE", 20)), 10,
           (("accessories", 35), ("health", 15), ("beauty", 20), ("electronics", 15), ("home", 15)),
           (("Zürich", "80##", 3, ""), ("Basel", "40##", 1.5, ""), ("Genève", "12##", 1.5, ""),
            ("Lugano", "69##", 1, "")), "ch"),
    Origin("TW", 0.8, 8, (("EUR", 50), ("USD", 50)), (("TW", 80), ("CN", 20)), 8,
           (("electronics", 40), ("sports", 35), ("tools", 25)),
           (("Taipei", "1##", 3, ""), ("Taichung", "4##", 2, "")), "tw"),
    Origin("SG", 0.5, 8, (("EUR", 60), ("USD", 40)), (("SG", 30), ("CN", 50), ("MY", 20)), 5, (),
           (("Singapore", "######", 1, ""),), "sg"),
    Origin("CA", 0.5, -5, (("USD", 60), ("EUR", 40)), (("CA", 50), ("US", 20), ("CN", 30)), 5, (),
           (("Toronto, ON", "M#@ #@#", 2, ""), ("Vancouver, BC", "V#@ #@#", 1.5, ""),
            ("Montréal, QC", "H#@ #@#", 1.5, "")), "ca"),
    Origin("NO", 0.4, 1, (("EUR", 1),), (("NO", 50), ("CN", 50)), 4, (),
           (("Oslo", "0###", 2, ""), ("Bergen", "50##", 1, "")), "no"),
    Origin("IL", 0.4, 2, (("USD", 50), ("EUR", 50)), (("IL", 80), ("CN", 20)), 4,
           (("beauty", 40), ("electronics", 30), ("accessories", 30)),
           (("Tel Aviv", "6######", 2, ""), ("Haifa", "3######", 1, "")), "il"),
    Origin("AU", 0.4, 11, (("USD", 50), ("EUR", 50)), (("AU", 60), ("CN", 40)), 4, (),
           (("Sydney NSW", "2###", 2, ""), ("Melbourne VIC", "3###", 2, "")), "au"),
    Origin("TH", 0.4, 7, (("USD", 50), ("EUR", 50)), (("TH", 80), ("CN", 20)), 4,
           (("beauty", 30), ("apparel", 30), ("accessories", 40)), (("Bangkok", "10###", 1, ""),), "th"),
    Origin("AE", 0.4, 4, (("USD", 60), ("EUR", 40)), (("CN", 60), ("AE", 20), ("IN", 20)), 4, (),
           (("Dubai", "", 1, ""),), "ae"),
    Origin("UA", 0.4, 2, (("EUR", 70), ("USD", 30)), (("UA", 60), ("CN", 40)), 4, (),
           (("Kyiv", "0####", 3, ""), ("Lviv", "79###", 1.5, ""), ("Odesa", "65###", 1, "")), "uk"),
    Origin("RS", 0.0, 1, (("EUR", 1),), (("RS", 1),), 0, (),
           (("Beograd", "11###", 3, ""), ("Novi Sad", "21###", 1, "")), "sr"),
)
ORIGIN = {o.code: o for o in ORIGINS}
COMMERCIAL_ORIGINS = tuple(o for o in ORIGINS if o.weight > 0)

# C2C gifts come from diaspora and family links rather than from the factories of Asia.
GIFT_ORIGINS = (("US", 28, "us"), ("GB", 22, "gb"), ("TR", 14, "tr"), ("UA", 12, "uk"), ("CH", 8, "de"),
                ("IN", 6, "in"), ("RS", 5, "sr"), ("NO", 5, "no"))
DOC_ORIGINS = (("US", 30), ("GB", 20), ("CN", 15), ("CH", 10), ("JP", 8), ("IN", 7), ("KR", 5), ("SG", 5))

# A local-time day of lodgements: carriers manifest parcels after the afternoon pick-ups, so filings
# peak in the late afternoon and evening of the origin country and are thin before dawn.
HOURLY_PROFILE = (0.35, 0.25, 0.2, 0.2, 0.25, 0.35, 0.5, 0.7, 0.9, 1.0, 1.1, 1.2, 1.3, 1.4, 1.5, 1.6, 1.7,
                  1.8, 1.8, 1.7, 1.5, 1.2, 0.9, 0.6)
# fmt: on
