"""Hand-written review sentences for the demo data, per language and intended polarity.

``make_reviews.py`` composes each review from these: an opener, one to three sentences about an aspect
(coffee, food, staff, wait, clean, price, wifi, vibe, location), sometimes a sentence about the place's
surroundings, and a closer. They were written to be unambiguous for a sentiment model: positive
sentences praise, negative ones complain plainly, neutral ones state facts or are lukewarm.

A leading ``"f|"`` or ``"m|"`` marks a sentence whose grammar fixes the writer's gender (Polish
"byłam"/"byłem", French "déçu", Italian "stata"): the generator then picks an author of that gender and
never mixes the two in one review.

``RECENT_OPENERS`` are for the declining location's last week ("it used to be good, lately it is not")
and ``CONTEXT`` holds neutral sentences about each location's surroundings, in its languages.
"""

from __future__ import annotations

ASPECTS = ("coffee", "food", "staff", "wait", "clean", "price", "wifi", "vibe", "location")
#: What the declining location's last-week complaints are about (the demo's story).
DECLINE_ASPECTS = ("coffee", "staff", "wait", "clean")

Pool = dict[str, list[str]]

FRAGMENTS: dict[str, dict[str, Pool]] = {
    "en": {
        "positive": {
            "open": [
                "Lovely little café, I keep coming back.",
                "One of my favourite coffee spots in town.",
                "What a great find!",
                "Absolutely loved this place.",
                "Came here on a friend's recommendation and was not disappointed.",
                "A really pleasant place for a morning coffee.",
                "Best café I've visited on this trip.",
                "Such a cosy spot, highly recommended.",
                "We stopped by twice during our stay and enjoyed it both times.",
                "My go-to place before work.",
                "Fantastic café with a warm atmosphere.",
                "Really happy we found this place.",
            ],
            "close": [
                "Will definitely be back!",
                "Highly recommend it.",
                "Five stars from me.",
                "Can't wait to come again.",
                "Thanks to the whole team!",
                "A must-visit if you're in the area.",
                "Keep up the great work.",
                "Already planning my next visit.",
                "Totally worth it.",
                "Couldn't ask for more.",
            ],
            "coffee": [
                "The flat white was smooth and perfectly balanced.",
                "Excellent espresso, rich and aromatic.",
                "My cappuccino was hot, creamy and beautifully made.",
                "The coffee is simply delicious, you can tell they use good beans.",
            ],
            "food": [
                "The cheesecake was fresh and incredibly tasty.",
                "Their croissants are buttery and flaky, just perfect.",
                "We shared a slice of carrot cake and it was wonderful.",
                "Great selection of homemade cakes.",
            ],
            "staff": [
                "The staff were friendly and genuinely welcoming.",
                "The barista was super helpful and told us all about the beans.",
                "Service was warm and attentive from start to finish.",
                "Lovely staff who remembered my order after one visit.",
            ],
            "wait": [
                "We were served quickly even though it was busy.",
                "My order was ready in just a couple of minutes.",
                "Fast service, no waiting at all.",
            ],
            "clean": [
                "Everything was spotless, including the bathroom.",
                "The tables were clean and the place felt fresh.",
                "Very clean and tidy inside.",
            ],
            "price": [
                "Prices are fair for the quality you get.",
                "Good value for money.",
                "Reasonable prices, especially for such a central spot.",
            ],
            "wifi": [
                "The wifi is fast, so it's a great place to work for a few hours.",
                "Plenty of sockets and reliable wifi for laptops.",
                "Perfect spot to get some work done, the internet is quick.",
            ],
            "vibe": [
                "Relaxed music and a bright, cosy interior.",
                "The atmosphere is calm and really pleasant.",
                "Beautiful interior with lots of plants and natural light.",
            ],
            "location": [
                "Great location, right in the centre.",
                "Easy to find and very convenient.",
                "Lovely spot with a nice view of the street.",
            ],
        },
        "neutral": {
            "open": [
                "Stopped by on a weekday afternoon.",
                "Visited once with a colleague.",
                "Decent café, nothing out of the ordinary.",
                "An average coffee place.",
                "I came here for a short break.",
                "It's an okay place.",
                "Popped in for a takeaway coffee.",
                "Mixed feelings about this visit.",
                "A standard chain café.",
            ],
            "close": [
                "Might come back if I'm nearby.",
                "Three stars overall.",
                "Fine for a quick stop.",
                "Nothing special, nothing bad.",
                "Does the job.",
                "It's alright.",
                "Not sure I'd go out of my way for it.",
                "Average overall.",
            ],
            "coffee": [
                "The latte was okay, nothing special.",
                "The coffee was fine but a bit ordinary.",
                "Espresso was decent, fairly standard.",
            ],
            "food": [
                "They have a small selection of cakes and sandwiches.",
                "The croissant was fine, though not very fresh.",
            ],
            "staff": [
                "The staff were polite but not particularly chatty.",
                "Service was neither quick nor slow, just normal.",
            ],
            "wait": [
                "We waited around ten minutes for our drinks.",
                "There was a short queue at the counter.",
            ],
            "clean": [
                "The place was reasonably clean.",
                "Tables were cleared eventually.",
            ],
            "price": [
                "Prices are about what you'd expect for the area.",
                "A bit pricey, but the portions are okay.",
            ],
            "wifi": [
                "There is wifi, though it was a bit slow.",
                "A few tables have sockets.",
            ],
            "vibe": [
                "Background music and a simple, modern interior.",
                "Quite busy and noisy at lunchtime.",
            ],
            "location": [
                "It's on a busy street, so it's easy to find.",
                "The location is convenient, although there's not much seating outside.",
            ],
        },
        "negative": {
            "open": [
                "Really disappointing visit.",
                "Terrible experience, I won't be returning.",
                "I expected much more from this place.",
                "Honestly, one of the worst cafés I've been to.",
                "Avoid this place.",
                "What a letdown.",
                "Very poor experience today.",
                "Not worth your time or money.",
                "Awful, just awful.",
            ],
            "close": [
                "Never again.",
                "I would not recommend it to anyone.",
                "Save your money and go somewhere else.",
                "Such a shame.",
                "One star is generous.",
                "I won't be back.",
                "Very disappointed.",
                "Management, please fix this.",
            ],
            "coffee": [
                "My cappuccino arrived cold and tasted burnt.",
                "The coffee was lukewarm and watery.",
                "The flat white was bitter and cold by the time it reached the table.",
            ],
            "food": [
                "The cake was dry and clearly stale.",
                "The croissant tasted like it was from yesterday.",
            ],
            "staff": [
                "The staff were rude and ignored us at the counter.",
                "The barista was unfriendly and rolled his eyes when I asked a question.",
                "Rude service, nobody even said hello.",
            ],
            "wait": [
                "We waited over thirty minutes for two coffees.",
                "The queue barely moved and the wait was ridiculous.",
                "It took forever to get our order, and half of it was wrong.",
            ],
            "clean": [
                "The tables were dirty and sticky, with old cups left everywhere.",
                "The floor was filthy and the bathroom was disgusting.",
                "Nobody cleaned the tables, there were crumbs and dirty plates all over.",
            ],
            "price": [
                "Way overpriced for what you get.",
                "Far too expensive for such poor quality.",
            ],
            "wifi": [
                "The wifi didn't work at all.",
                "No working sockets and the internet kept dropping.",
            ],
            "vibe": [
                "The music was so loud we couldn't talk.",
                "Cramped, noisy and uncomfortable.",
            ],
            "location": [
                "Hard to find, and there was nowhere to sit.",
            ],
        },
    },
    "pl": {
        "positive": {
            "open": [
                "Urocza kawiarnia, chętnie tu wracam.",
                "Jedno z moich ulubionych miejsc na kawę w mieście.",
                "Świetne miejsce, polecam z całego serca!",
                "Bardzo przyjemna kawiarnia.",
                "Trafiliśmy tu z polecenia znajomych i nie żałujemy.",
                "Idealne miejsce na poranną kawę.",
                "Naprawdę super kawiarnia.",
                "Cudowne, przytulne miejsce.",
                "f|Byłam tu już kilka razy i zawsze wychodzę zadowolona.",
                "Moje ulubione miejsce przed pracą.",
            ],
            "close": [
                "Na pewno wrócę!",
                "Gorąco polecam.",
                "Pięć gwiazdek w pełni zasłużone.",
                "Dziękuję całej obsłudze!",
                "Warto tu zajrzeć.",
                "Tak trzymać!",
                "Już planuję kolejną wizytę.",
                "Polecam każdemu.",
                "Było naprawdę świetnie.",
            ],
            "coffee": [
                "Flat white był aksamitny i idealnie zbalansowany.",
                "Znakomite espresso, mocne i aromatyczne.",
                "Cappuccino gorące, kremowe i pięknie podane.",
                "Kawa jest po prostu pyszna, czuć dobre ziarna.",
            ],
            "food": [
                "Sernik był świeży i przepyszny.",
                "Rogaliki są maślane i chrupiące, po prostu idealne.",
                "Szarlotka smakowała jak u babci.",
                "Duży wybór domowych ciast.",
            ],
            "staff": [
                "Obsługa jest miła i bardzo życzliwa.",
                "Barista chętnie doradził nam, jaką kawę wybrać.",
                "Przemiła obsługa od początku do końca.",
                "Pani za ladą zapamiętała moje zamówienie po jednej wizycie.",
            ],
            "wait": [
                "Zamówienie dostaliśmy szybko, mimo że było sporo ludzi.",
                "Kawa była gotowa w dwie minuty.",
                "Szybka obsługa, zero czekania.",
            ],
            "clean": [
                "Wszędzie czysto, łazienka też lśni.",
                "Stoliki czyste, a w środku pachnie świeżą kawą.",
                "Bardzo czysto i schludnie.",
            ],
            "price": [
                "Ceny uczciwe jak na taką jakość.",
                "Stosunek jakości do ceny bardzo dobry.",
                "Rozsądne ceny, zwłaszcza jak na takie miejsce.",
            ],
            "wifi": [
                "Szybkie wifi, więc można tu spokojnie popracować.",
                "Dużo gniazdek i stabilny internet.",
                "Świetne miejsce do pracy z laptopem.",
            ],
            "vibe": [
                "Spokojna muzyka i jasne, przytulne wnętrze.",
                "Atmosfera jest bardzo przyjemna i relaksująca.",
                "Piękne wnętrze, dużo roślin i światła.",
            ],
            "location": [
                "Świetna lokalizacja w samym centrum.",
                "Łatwo trafić, bardzo wygodne miejsce.",
                "Piękny widok z okna.",
            ],
        },
        "neutral": {
            "open": [
                "m|Wpadłem tu w dzień powszedni po południu.",
                "f|Byłam raz, z koleżanką z pracy.",
                "Przeciętna kawiarnia.",
                "Zwykła sieciówka.",
                "m|Zajrzałem na krótką przerwę.",
                "Takie sobie miejsce.",
                "m|Wziąłem kawę na wynos.",
                "Mam mieszane uczucia.",
            ],
            "close": [
                "Może jeszcze kiedyś wpadnę.",
                "Ogólnie trzy gwiazdki.",
                "Na szybką kawę wystarczy.",
                "Ani dobrze, ani źle.",
                "Poprawnie i tyle.",
                "Nie wiem, czy specjalnie tu wrócę.",
                "Ogólnie przeciętnie.",
            ],
            "coffee": [
                "Latte było w porządku, nic specjalnego.",
                "Kawa poprawna, ale dość zwyczajna.",
                "Espresso przyzwoite, standard.",
            ],
            "food": [
                "Mają niewielki wybór ciast i kanapek.",
                "Rogalik był w porządku, choć niezbyt świeży.",
            ],
            "staff": [
                "Obsługa uprzejma, ale bez entuzjazmu.",
                "Obsługa ani szybka, ani wolna, po prostu normalna.",
            ],
            "wait": [
                "Na napoje czekaliśmy około dziesięciu minut.",
                "Przy kasie była niewielka kolejka.",
            ],
            "clean": [
                "W środku było w miarę czysto.",
                "Stoliki w końcu zostały sprzątnięte.",
            ],
            "price": [
                "Ceny takie, jak wszędzie w okolicy.",
                "Trochę drogo, ale porcje są w porządku.",
            ],
            "wifi": [
                "Jest wifi, choć działało dość wolno.",
                "Przy kilku stolikach są gniazdka.",
            ],
            "vibe": [
                "Muzyka w tle i proste, nowoczesne wnętrze.",
                "W porze lunchu dość tłoczno i głośno.",
            ],
            "location": [
                "Lokal jest przy ruchliwej ulicy, więc łatwo go znaleźć.",
                "Lokalizacja wygodna, ale na zewnątrz mało miejsc.",
            ],
        },
        "negative": {
            "open": [
                "Bardzo rozczarowująca wizyta.",
                "Fatalne doświadczenie, więcej tu nie przyjdę.",
                "f|Spodziewałam się dużo więcej.",
                "m|Szczerze mówiąc, to jedna z najgorszych kawiarni, w jakich byłem.",
                "Omijajcie to miejsce.",
                "Totalna porażka.",
                "Dziś było naprawdę źle.",
                "Nie warto tracić tu czasu ani pieniędzy.",
                "Okropność.",
            ],
            "close": [
                "Nigdy więcej.",
                "Nikomu nie polecam.",
                "Szkoda pieniędzy, idźcie gdzie indziej.",
                "Wielka szkoda.",
                "Jedna gwiazdka to i tak za dużo.",
                "Nie wrócę tu.",
                "f|Jestem bardzo rozczarowana.",
                "Proszę coś z tym zrobić.",
            ],
            "coffee": [
                "Cappuccino przyszło zimne i smakowało jak przypalone.",
                "Kawa była letnia i wodnista.",
                "Flat white był gorzki i zimny, zanim dotarł do stolika.",
            ],
            "food": [
                "Ciasto suche i ewidentnie nieświeże.",
                "Rogalik smakował, jakby był wczorajszy.",
            ],
            "staff": [
                "Obsługa niemiła, ignorowali nas przy ladzie.",
                "f|Barista był opryskliwy i przewracał oczami, kiedy o coś zapytałam.",
                "Chamska obsługa, nikt nawet nie powiedział dzień dobry.",
            ],
            "wait": [
                "Na dwie kawy czekaliśmy ponad pół godziny.",
                "Kolejka prawie stała w miejscu, czekanie to jakiś absurd.",
                "Zamówienie trwało wieki, a połowa była pomylona.",
            ],
            "clean": [
                "Stoliki brudne i lepkie, wszędzie stały stare kubki.",
                "Podłoga brudna, a łazienka obrzydliwa.",
                "Nikt nie sprzątał stolików, wszędzie okruchy i brudne talerze.",
            ],
            "price": [
                "Zdecydowanie za drogo jak na to, co się dostaje.",
                "Ceny wysokie, a jakość bardzo słaba.",
            ],
            "wifi": [
                "Wifi w ogóle nie działało.",
                "Gniazdka nie działają, a internet ciągle się rozłącza.",
            ],
            "vibe": [
                "Muzyka tak głośna, że nie dało się rozmawiać.",
                "Ciasno, głośno i niewygodnie.",
            ],
            "location": [
                "Trudno trafić, a w środku nie ma gdzie usiąść.",
            ],
        },
    },
    "de": {
        "positive": {
            "open": [
                "Wunderschönes kleines Café, ich komme immer wieder.",
                "Eines meiner liebsten Cafés in der Stadt.",
                "Was für ein toller Fund!",
                "Ich bin total begeistert von diesem Laden.",
                "Auf Empfehlung von Freunden hier gewesen und nicht enttäuscht worden.",
                "Ein richtig schöner Ort für den Morgenkaffee.",
                "Super gemütlich, absolute Empfehlung.",
                "Mein Stammcafé vor der Arbeit.",
                "Tolles Café mit herzlicher Atmosphäre.",
            ],
            "close": [
                "Wir kommen auf jeden Fall wieder!",
                "Klare Empfehlung.",
                "Fünf Sterne von mir.",
                "Danke an das ganze Team!",
                "Unbedingt vorbeischauen.",
                "Weiter so!",
                "Ich freue mich schon auf den nächsten Besuch.",
                "Hat sich absolut gelohnt.",
            ],
            "coffee": [
                "Der Flat White war samtig und perfekt ausbalanciert.",
                "Hervorragender Espresso, kräftig und aromatisch.",
                "Mein Cappuccino war heiß, cremig und wunderschön zubereitet.",
                "Der Kaffee ist einfach köstlich, man merkt die guten Bohnen.",
            ],
            "food": [
                "Der Käsekuchen war frisch und unglaublich lecker.",
                "Die Croissants sind buttrig und knusprig, einfach perfekt.",
                "Der Apfelkuchen schmeckt wie bei Oma.",
                "Große Auswahl an hausgemachten Kuchen.",
            ],
            "staff": [
                "Das Personal ist freundlich und wirklich herzlich.",
                "Die Barista hat uns super nett beraten.",
                "Der Service war aufmerksam und warmherzig.",
                "Das Team hat sich meine Bestellung schon nach einem Besuch gemerkt.",
            ],
            "wait": [
                "Trotz viel Betrieb wurden wir schnell bedient.",
                "Meine Bestellung war in zwei Minuten fertig.",
                "Schneller Service, gar keine Wartezeit.",
            ],
            "clean": [
                "Alles blitzsauber, auch die Toilette.",
                "Die Tische waren sauber und alles wirkte frisch.",
                "Sehr sauber und ordentlich.",
            ],
            "price": [
                "Die Preise sind fair für diese Qualität.",
                "Preis und Leistung stimmen absolut.",
                "Angemessene Preise, gerade für die Lage.",
            ],
            "wifi": [
                "Das WLAN ist schnell, man kann hier gut ein paar Stunden arbeiten.",
                "Viele Steckdosen und stabiles Internet.",
                "Perfekter Ort zum Arbeiten mit dem Laptop.",
            ],
            "vibe": [
                "Entspannte Musik und ein helles, gemütliches Ambiente.",
                "Die Atmosphäre ist ruhig und sehr angenehm.",
                "Schöne Einrichtung mit vielen Pflanzen und viel Tageslicht.",
            ],
            "location": [
                "Super Lage, mitten im Kiez.",
                "Leicht zu finden und sehr gut gelegen.",
                "Schöner Platz mit Blick auf die Straße.",
            ],
        },
        "neutral": {
            "open": [
                "Unter der Woche am Nachmittag vorbeigeschaut.",
                "Einmal mit einer Kollegin hier gewesen.",
                "Ganz normales Café, nichts Besonderes.",
                "Durchschnittliches Café.",
                "Kurz für eine Pause reingegangen.",
                "Einen Kaffee zum Mitnehmen geholt.",
                "Gemischte Gefühle nach diesem Besuch.",
                "Typisches Kettencafé.",
            ],
            "close": [
                "Vielleicht komme ich wieder, wenn ich in der Nähe bin.",
                "Insgesamt drei Sterne.",
                "Für einen schnellen Kaffee okay.",
                "Nicht gut, nicht schlecht.",
                "Erfüllt seinen Zweck.",
                "Ob ich extra wiederkomme, weiß ich nicht.",
                "Im Großen und Ganzen Durchschnitt.",
            ],
            "coffee": [
                "Der Latte war okay, nichts Besonderes.",
                "Der Kaffee war in Ordnung, aber ziemlich gewöhnlich.",
                "Espresso solide, eben Standard.",
            ],
            "food": [
                "Es gibt eine kleine Auswahl an Kuchen und Sandwiches.",
                "Das Croissant war okay, aber nicht ganz frisch.",
            ],
            "staff": [
                "Das Personal war höflich, aber eher zurückhaltend.",
                "Der Service war weder schnell noch langsam.",
            ],
            "wait": [
                "Wir haben etwa zehn Minuten auf die Getränke gewartet.",
                "An der Theke gab es eine kurze Schlange.",
            ],
            "clean": [
                "Es war einigermaßen sauber.",
                "Die Tische wurden irgendwann abgeräumt.",
            ],
            "price": [
                "Die Preise sind so, wie man es in der Gegend erwartet.",
                "Etwas teuer, aber die Portionen sind in Ordnung.",
            ],
            "wifi": [
                "Es gibt WLAN, allerdings war es etwas langsam.",
                "An ein paar Tischen gibt es Steckdosen.",
            ],
            "vibe": [
                "Musik im Hintergrund und eine schlichte, moderne Einrichtung.",
                "Mittags ziemlich voll und laut.",
            ],
            "location": [
                "Liegt an einer belebten Straße, also leicht zu finden.",
                "Die Lage ist praktisch, draußen gibt es aber kaum Plätze.",
            ],
        },
        "negative": {
            "open": [
                "Sehr enttäuschender Besuch.",
                "Furchtbare Erfahrung, ich komme nicht wieder.",
                "Ich hatte viel mehr erwartet.",
                "Ehrlich gesagt eines der schlechtesten Cafés, in denen ich je war.",
                "Finger weg von diesem Laden.",
                "Was für eine Enttäuschung.",
                "Heute war es wirklich schlecht.",
                "Weder die Zeit noch das Geld wert.",
            ],
            "close": [
                "Nie wieder.",
                "Kann ich niemandem empfehlen.",
                "Spart euch das Geld und geht woanders hin.",
                "Wirklich schade.",
                "Ein Stern ist noch zu viel.",
                "Von mir gibt es keinen zweiten Besuch.",
                "Sehr enttäuscht.",
            ],
            "coffee": [
                "Mein Cappuccino kam kalt und schmeckte verbrannt.",
                "Der Kaffee war lauwarm und wässrig.",
                "Der Flat White war bitter und kalt, als er am Tisch ankam.",
            ],
            "food": [
                "Der Kuchen war trocken und eindeutig alt.",
                "Das Croissant schmeckte wie vom Vortag.",
            ],
            "staff": [
                "Das Personal war unhöflich und hat uns an der Theke ignoriert.",
                "Der Barista war unfreundlich und verdrehte die Augen, als ich etwas fragte.",
                "Unfreundlicher Service, nicht einmal ein Hallo.",
            ],
            "wait": [
                "Wir haben über eine halbe Stunde auf zwei Kaffee gewartet.",
                "Die Schlange bewegte sich kaum, die Wartezeit war lächerlich.",
                "Die Bestellung dauerte ewig und war dann auch noch halb falsch.",
            ],
            "clean": [
                "Die Tische waren dreckig und klebrig, überall standen alte Tassen.",
                "Der Boden war schmutzig und die Toilette ekelhaft.",
                "Niemand hat die Tische abgewischt, überall Krümel und schmutzige Teller.",
            ],
            "price": [
                "Völlig überteuert für das, was man bekommt.",
                "Viel zu teuer für so schlechte Qualität.",
            ],
            "wifi": [
                "Das WLAN funktionierte überhaupt nicht.",
                "Keine funktionierenden Steckdosen und das Internet brach ständig ab.",
            ],
            "vibe": [
                "Die Musik war so laut, dass wir uns nicht unterhalten konnten.",
                "Eng, laut und ungemütlich.",
            ],
            "location": [
                "Schwer zu finden, und drinnen gab es keinen freien Platz.",
            ],
        },
    },
    "es": {
        "positive": {
            "open": [
                "Una cafetería preciosa, siempre vuelvo.",
                "Uno de mis sitios favoritos para tomar café en la ciudad.",
                "¡Qué gran descubrimiento!",
                "Me ha encantado este lugar.",
                "Vinimos por recomendación de unos amigos y no nos decepcionó.",
                "Un sitio muy agradable para el café de la mañana.",
                "Muy acogedor, lo recomiendo muchísimo.",
                "Mi cafetería de siempre antes de ir a trabajar.",
                "Cafetería fantástica con un ambiente muy cálido.",
            ],
            "close": [
                "¡Volveremos seguro!",
                "Totalmente recomendable.",
                "Cinco estrellas sin dudarlo.",
                "¡Gracias a todo el equipo!",
                "Visita obligada si estás por la zona.",
                "¡Seguid así!",
                "Ya estoy pensando en volver.",
                "Merece muchísimo la pena.",
            ],
            "coffee": [
                "El flat white estaba suave y perfectamente equilibrado.",
                "Un espresso excelente, intenso y aromático.",
                "Mi capuchino llegó caliente, cremoso y muy bien hecho.",
                "El café está buenísimo, se nota que usan buen grano.",
            ],
            "food": [
                "La tarta de queso estaba fresca y riquísima.",
                "Los cruasanes son mantecosos y crujientes, perfectos.",
                "Compartimos un trozo de tarta de zanahoria y estaba deliciosa.",
                "Gran variedad de tartas caseras.",
            ],
            "staff": [
                "El personal es amable y muy cercano.",
                "La barista nos aconsejó con mucha simpatía.",
                "La atención fue cálida y atenta de principio a fin.",
                "Se acordaron de mi pedido después de una sola visita.",
            ],
            "wait": [
                "Nos atendieron rápido aunque estaba lleno.",
                "Mi pedido estuvo listo en un par de minutos.",
                "Servicio rapidísimo, sin esperas.",
            ],
            "clean": [
                "Todo impecable, incluido el baño.",
                "Las mesas estaban limpias y el local olía a café recién hecho.",
                "Muy limpio y ordenado.",
            ],
            "price": [
                "Los precios son justos para la calidad que ofrecen.",
                "Muy buena relación calidad-precio.",
                "Precios razonables, sobre todo para la zona.",
            ],
            "wifi": [
                "El wifi va rápido, así que es un buen sitio para trabajar un rato.",
                "Muchos enchufes y una conexión estable.",
                "Ideal para trabajar con el portátil.",
            ],
            "vibe": [
                "Música tranquila y un local luminoso y acogedor.",
                "El ambiente es relajado y muy agradable.",
                "Una decoración preciosa, con muchas plantas y luz natural.",
            ],
            "location": [
                "Ubicación estupenda, en pleno centro.",
                "Fácil de encontrar y muy bien situado.",
                "Un rincón precioso con vistas a la calle.",
            ],
        },
        "neutral": {
            "open": [
                "Pasé una tarde entre semana.",
                "Fui una vez con un compañero de trabajo.",
                "Una cafetería normal, nada fuera de lo común.",
                "Cafetería del montón.",
                "Entré para hacer una pausa corta.",
                "Pedí un café para llevar.",
                "Sensaciones encontradas con esta visita.",
                "Una cadena como cualquier otra.",
            ],
            "close": [
                "Quizá vuelva si estoy por aquí.",
                "En general, tres estrellas.",
                "Para un café rápido, vale.",
                "Ni bien ni mal.",
                "Cumple, sin más.",
                "No sé si volvería a propósito.",
                "Correcto en general.",
            ],
            "coffee": [
                "El café con leche estaba bien, sin más.",
                "El café era correcto, pero bastante normal.",
                "El espresso, aceptable, lo típico.",
            ],
            "food": [
                "Tienen una pequeña selección de tartas y bocadillos.",
                "El cruasán estaba bien, aunque no muy fresco.",
            ],
            "staff": [
                "El personal fue educado, aunque poco hablador.",
                "El servicio no fue ni rápido ni lento.",
            ],
            "wait": [
                "Esperamos unos diez minutos por las bebidas.",
                "Había una cola corta en la barra.",
            ],
            "clean": [
                "El local estaba razonablemente limpio.",
                "Al final recogieron las mesas.",
            ],
            "price": [
                "Los precios son los habituales de la zona.",
                "Un poco caro, pero las raciones están bien.",
            ],
            "wifi": [
                "Hay wifi, aunque iba algo lento.",
                "Algunas mesas tienen enchufes.",
            ],
            "vibe": [
                "Música de fondo y una decoración sencilla y moderna.",
                "A mediodía hay bastante gente y ruido.",
            ],
            "location": [
                "Está en una calle muy transitada, así que se encuentra fácil.",
                "La ubicación es práctica, aunque hay pocas mesas fuera.",
            ],
        },
        "negative": {
            "open": [
                "Una visita muy decepcionante.",
                "Experiencia horrible, no pienso volver.",
                "Esperaba mucho más de este sitio.",
                "Sinceramente, una de las peores cafeterías en las que he estado.",
                "Evitad este sitio.",
                "Qué decepción.",
                "Hoy ha sido un desastre.",
                "No merece la pena ni el tiempo ni el dinero.",
            ],
            "close": [
                "Nunca más.",
                "No lo recomiendo a nadie.",
                "Ahorraos el dinero e id a otro sitio.",
                "Una pena.",
                "Una estrella es demasiado.",
                "No volveré.",
                "m|Muy decepcionado.",
            ],
            "coffee": [
                "Mi capuchino llegó frío y sabía a quemado.",
                "El café estaba tibio y aguado.",
                "El flat white estaba amargo y frío cuando llegó a la mesa.",
            ],
            "food": [
                "La tarta estaba seca y claramente pasada.",
                "El cruasán parecía del día anterior.",
            ],
            "staff": [
                "El personal fue maleducado y nos ignoró en la barra.",
                "El camarero fue antipático y puso los ojos en blanco cuando le pregunté algo.",
                "Un trato grosero, nadie nos saludó.",
            ],
            "wait": [
                "Esperamos más de media hora por dos cafés.",
                "La cola no avanzaba y la espera fue ridícula.",
                "El pedido tardó una eternidad y encima la mitad estaba mal.",
            ],
            "clean": [
                "Las mesas estaban sucias y pegajosas, con tazas viejas por todas partes.",
                "El suelo estaba sucio y el baño daba asco.",
                "Nadie limpiaba las mesas, había migas y platos sucios por todos lados.",
            ],
            "price": [
                "Carísimo para lo que te dan.",
                "Demasiado caro para una calidad tan mala.",
            ],
            "wifi": [
                "El wifi no funcionaba en absoluto.",
                "Ningún enchufe funcionaba y la conexión se cortaba todo el rato.",
            ],
            "vibe": [
                "La música estaba tan alta que no podíamos hablar.",
                "Estrecho, ruidoso e incómodo.",
            ],
            "location": [
                "Difícil de encontrar y no había dónde sentarse.",
            ],
        },
    },
    "fr": {
        "positive": {
            "open": [
                "Un petit café adorable, j'y retourne régulièrement.",
                "L'un de mes cafés préférés du quartier.",
                "Quelle belle découverte !",
                "J'ai adoré cet endroit.",
                "Venus sur les conseils d'amis, nous n'avons pas été déçus.",
                "Un endroit très agréable pour le café du matin.",
                "Très cosy, je recommande vivement.",
                "Mon café habituel avant le travail.",
                "Un café formidable à l'ambiance chaleureuse.",
            ],
            "close": [
                "Nous reviendrons sans hésiter !",
                "Je recommande à cent pour cent.",
                "Cinq étoiles bien méritées.",
                "Merci à toute l'équipe !",
                "À ne pas manquer si vous êtes dans le coin.",
                "Continuez comme ça !",
                "J'ai déjà hâte d'y retourner.",
                "Ça vaut vraiment le détour.",
            ],
            "coffee": [
                "Le flat white était onctueux et parfaitement équilibré.",
                "Excellent expresso, corsé et très aromatique.",
                "Mon cappuccino était chaud, crémeux et joliment préparé.",
                "Le café est délicieux, on sent la qualité des grains.",
            ],
            "food": [
                "Le cheesecake était frais et vraiment délicieux.",
                "Les croissants sont beurrés et croustillants, parfaits.",
                "Nous avons partagé une part de carrot cake, un régal.",
                "Beau choix de gâteaux faits maison.",
            ],
            "staff": [
                "Le personnel est aimable et vraiment accueillant.",
                "La barista nous a conseillés avec beaucoup de gentillesse.",
                "Un service chaleureux et attentionné du début à la fin.",
                "L'équipe se souvenait de ma commande dès la deuxième visite.",
            ],
            "wait": [
                "Nous avons été servis rapidement malgré le monde.",
                "Ma commande était prête en deux minutes.",
                "Service rapide, aucune attente.",
            ],
            "clean": [
                "Tout est impeccable, y compris les toilettes.",
                "Les tables étaient propres et la salle sentait bon le café.",
                "Très propre et bien tenu.",
            ],
            "price": [
                "Les prix sont justes pour cette qualité.",
                "Très bon rapport qualité-prix.",
                "Des prix raisonnables, surtout pour le quartier.",
            ],
            "wifi": [
                "Le wifi est rapide, idéal pour travailler quelques heures.",
                "Beaucoup de prises et une connexion stable.",
                "Parfait pour travailler sur son ordinateur portable.",
            ],
            "vibe": [
                "Musique douce et une salle lumineuse et cosy.",
                "L'ambiance est calme et très agréable.",
                "Une jolie déco, avec beaucoup de plantes et de lumière naturelle.",
            ],
            "location": [
                "Super emplacement, en plein cœur du quartier.",
                "Facile à trouver et très bien situé.",
                "Un bel endroit avec vue sur la rue.",
            ],
        },
        "neutral": {
            "open": [
                "m|Passé un après-midi en semaine.",
                "m|Venu une fois avec une collègue.",
                "Un café banal, rien d'extraordinaire.",
                "Café moyen.",
                "m|Entré pour une courte pause.",
                "Pris un café à emporter.",
                "Avis mitigé sur cette visite.",
                "Une chaîne comme une autre.",
            ],
            "close": [
                "J'y repasserai peut-être si je suis dans le coin.",
                "Trois étoiles dans l'ensemble.",
                "Correct pour un café rapide.",
                "Ni bien ni mal.",
                "Ça fait le travail.",
                "Pas sûr d'y revenir exprès.",
                "Moyen dans l'ensemble.",
            ],
            "coffee": [
                "Le latte était correct, sans plus.",
                "Le café était correct mais assez ordinaire.",
                "Expresso convenable, classique.",
            ],
            "food": [
                "Il y a un petit choix de gâteaux et de sandwichs.",
                "Le croissant était correct, mais pas très frais.",
            ],
            "staff": [
                "Le personnel était poli, mais assez réservé.",
                "Le service n'était ni rapide ni lent.",
            ],
            "wait": [
                "Nous avons attendu une dizaine de minutes pour nos boissons.",
                "Il y avait une petite file au comptoir.",
            ],
            "clean": [
                "La salle était plutôt propre.",
                "Les tables ont fini par être débarrassées.",
            ],
            "price": [
                "Les prix sont dans la moyenne du quartier.",
                "Un peu cher, mais les portions sont correctes.",
            ],
            "wifi": [
                "Il y a du wifi, mais il était un peu lent.",
                "Quelques tables ont des prises.",
            ],
            "vibe": [
                "Musique de fond et une déco simple et moderne.",
                "Assez de monde et de bruit à midi.",
            ],
            "location": [
                "C'est dans une rue passante, donc facile à trouver.",
                "L'emplacement est pratique, mais il y a peu de places en terrasse.",
            ],
        },
        "negative": {
            "open": [
                "Visite très décevante.",
                "Expérience horrible, je ne reviendrai pas.",
                "Je m'attendais à beaucoup mieux.",
                "m|Honnêtement, l'un des pires cafés où je sois allé.",
                "À éviter.",
                "Quelle déception.",
                "Aujourd'hui, c'était vraiment mauvais.",
                "Ni le temps ni l'argent n'en valent la peine.",
            ],
            "close": [
                "Plus jamais.",
                "Je ne le recommande à personne.",
                "Gardez votre argent et allez ailleurs.",
                "Vraiment dommage.",
                "Une étoile, c'est déjà trop.",
                "Je n'y remettrai pas les pieds.",
                "m|Très déçu.",
            ],
            "coffee": [
                "Mon cappuccino est arrivé froid et avait un goût de brûlé.",
                "Le café était tiède et sans goût.",
                "Le flat white était amer et froid en arrivant à table.",
            ],
            "food": [
                "Le gâteau était sec et clairement rassis.",
                "Le croissant avait l'air de dater de la veille.",
            ],
            "staff": [
                "Le personnel était impoli et nous a ignorés au comptoir.",
                "Le barista était désagréable et a levé les yeux au ciel quand j'ai posé une question.",
                "Service grossier, personne ne nous a même dit bonjour.",
            ],
            "wait": [
                "Nous avons attendu plus d'une demi-heure pour deux cafés.",
                "La file n'avançait pas, l'attente était ridicule.",
                "La commande a pris une éternité, et la moitié était fausse.",
            ],
            "clean": [
                "Les tables étaient sales et collantes, avec de vieilles tasses partout.",
                "Le sol était sale et les toilettes répugnantes.",
                "Personne ne nettoyait les tables, des miettes et des assiettes sales partout.",
            ],
            "price": [
                "Beaucoup trop cher pour ce que c'est.",
                "Bien trop cher pour une qualité aussi médiocre.",
            ],
            "wifi": [
                "Le wifi ne fonctionnait pas du tout.",
                "Aucune prise ne marchait et la connexion coupait sans arrêt.",
            ],
            "vibe": [
                "La musique était si forte qu'on ne pouvait pas parler.",
                "Exigu, bruyant et inconfortable.",
            ],
            "location": [
                "Difficile à trouver, et pas une place pour s'asseoir.",
            ],
        },
    },
    "it": {
        "positive": {
            "open": [
                "Un piccolo caffè delizioso, ci torno sempre volentieri.",
                "Uno dei miei bar preferiti in città.",
                "Che bella scoperta!",
                "Ho adorato questo posto.",
                "Siamo venuti su consiglio di amici e non siamo rimasti delusi.",
                "Un posto molto piacevole per il caffè del mattino.",
                "Accogliente e curato, lo consiglio vivamente.",
                "Il mio bar di fiducia prima del lavoro.",
                "Caffetteria fantastica con un'atmosfera calorosa.",
            ],
            "close": [
                "Torneremo sicuramente!",
                "Consigliatissimo.",
                "Cinque stelle meritate.",
                "Grazie a tutto lo staff!",
                "Da non perdere se siete in zona.",
                "Continuate così!",
                "Non vedo l'ora di tornarci.",
                "Ne vale davvero la pena.",
            ],
            "coffee": [
                "Il flat white era vellutato e perfettamente bilanciato.",
                "Espresso eccellente, intenso e aromatico.",
                "Il mio cappuccino era caldo, cremoso e fatto benissimo.",
                "Il caffè è buonissimo, si sente la qualità dei chicchi.",
            ],
            "food": [
                "La cheesecake era fresca e buonissima.",
                "I cornetti sono fragranti e burrosi, perfetti.",
                "Abbiamo diviso una fetta di torta di carote ed era squisita.",
                "Ottima scelta di dolci fatti in casa.",
            ],
            "staff": [
                "Il personale è gentile e davvero accogliente.",
                "La barista ci ha consigliato con grande simpatia.",
                "Servizio cordiale e attento dall'inizio alla fine.",
                "Si sono ricordati della mia ordinazione già alla seconda visita.",
            ],
            "wait": [
                "Ci hanno serviti in fretta anche se c'era molta gente.",
                "La mia ordinazione era pronta in un paio di minuti.",
                "Servizio velocissimo, nessuna attesa.",
            ],
            "clean": [
                "Tutto pulitissimo, bagno compreso.",
                "I tavoli erano puliti e il locale profumava di caffè.",
                "Molto pulito e ordinato.",
            ],
            "price": [
                "Prezzi onesti per la qualità offerta.",
                "Ottimo rapporto qualità-prezzo.",
                "Prezzi ragionevoli, soprattutto per la zona.",
            ],
            "wifi": [
                "Il wifi è veloce, quindi è un ottimo posto per lavorare qualche ora.",
                "Tante prese e una connessione stabile.",
                "Perfetto per lavorare con il portatile.",
            ],
            "vibe": [
                "Musica rilassante e un locale luminoso e accogliente.",
                "L'atmosfera è tranquilla e molto piacevole.",
                "Arredamento bellissimo, con tante piante e luce naturale.",
            ],
            "location": [
                "Posizione ottima, nel cuore del quartiere.",
                "Facile da trovare e molto comodo.",
                "Un angolo bellissimo con vista sulla strada.",
            ],
        },
        "neutral": {
            "open": [
                "m|Passato un pomeriggio infrasettimanale.",
                "f|Ci sono stata una volta con una collega.",
                "Un bar normale, niente di speciale.",
                "Caffetteria nella media.",
                "m|Entrato per una breve pausa.",
                "Preso un caffè da asporto.",
                "Impressioni contrastanti su questa visita.",
                "Una catena come tante.",
            ],
            "close": [
                "Forse ci ripasso se sono in zona.",
                "Nel complesso tre stelle.",
                "Per un caffè veloce va bene.",
                "Né bene né male.",
                "Fa il suo dovere.",
                "Non so se ci tornerei apposta.",
                "Nella media, tutto sommato.",
            ],
            "coffee": [
                "Il latte macchiato era discreto, niente di che.",
                "Il caffè era corretto, ma piuttosto ordinario.",
                "Espresso accettabile, nella norma.",
            ],
            "food": [
                "C'è una piccola scelta di dolci e panini.",
                "Il cornetto era discreto, anche se non freschissimo.",
            ],
            "staff": [
                "Il personale era educato, ma poco loquace.",
                "Il servizio non era né veloce né lento.",
            ],
            "wait": [
                "Abbiamo aspettato una decina di minuti per le bevande.",
                "C'era una breve coda al bancone.",
            ],
            "clean": [
                "Il locale era abbastanza pulito.",
                "Alla fine hanno sparecchiato i tavoli.",
            ],
            "price": [
                "I prezzi sono quelli tipici della zona.",
                "Un po' caro, ma le porzioni sono giuste.",
            ],
            "wifi": [
                "C'è il wifi, anche se era un po' lento.",
                "Alcuni tavoli hanno le prese.",
            ],
            "vibe": [
                "Musica di sottofondo e un arredamento semplice e moderno.",
                "All'ora di pranzo c'è parecchia gente e rumore.",
            ],
            "location": [
                "È su una strada trafficata, quindi si trova facilmente.",
                "La posizione è comoda, ma fuori ci sono pochi posti.",
            ],
        },
        "negative": {
            "open": [
                "Visita molto deludente.",
                "Esperienza pessima, non ci tornerò.",
                "Mi aspettavo molto di più.",
                "m|Sinceramente, uno dei peggiori bar in cui sia mai stato.",
                "Da evitare.",
                "Che delusione.",
                "Oggi è stato davvero pessimo.",
                "Non vale né il tempo né i soldi.",
            ],
            "close": [
                "Mai più.",
                "Non lo consiglio a nessuno.",
                "Risparmiate i soldi e andate altrove.",
                "Peccato davvero.",
                "Una stella è anche troppo.",
                "Qui non ci rimetto piede.",
                "m|Molto deluso.",
            ],
            "coffee": [
                "Il cappuccino è arrivato freddo e sapeva di bruciato.",
                "Il caffè era tiepido e annacquato.",
                "Il flat white era amaro e freddo quando è arrivato al tavolo.",
            ],
            "food": [
                "La torta era secca e chiaramente vecchia.",
                "Il cornetto sembrava del giorno prima.",
            ],
            "staff": [
                "Il personale è stato scortese e ci ha ignorati al bancone.",
                "Il barista era antipatico e ha alzato gli occhi al cielo quando ho fatto una domanda.",
                "Servizio maleducato, nessuno ci ha nemmeno salutati.",
            ],
            "wait": [
                "Abbiamo aspettato più di mezz'ora per due caffè.",
                "La coda non si muoveva e l'attesa era ridicola.",
                "L'ordinazione ci ha messo un'eternità e metà era sbagliata.",
            ],
            "clean": [
                "I tavoli erano sporchi e appiccicosi, con tazze vecchie ovunque.",
                "Il pavimento era sporco e il bagno disgustoso.",
                "Nessuno puliva i tavoli, briciole e piatti sporchi dappertutto.",
            ],
            "price": [
                "Carissimo per quello che offre.",
                "Troppo caro per una qualità così scarsa.",
            ],
            "wifi": [
                "Il wifi non funzionava per niente.",
                "Nessuna presa funzionante e la connessione cadeva di continuo.",
            ],
            "vibe": [
                "La musica era così alta che non riuscivamo a parlare.",
                "Stretto, rumoroso e scomodo.",
            ],
            "location": [
                "Difficile da trovare e non c'era posto per sedersi.",
            ],
        },
    },
}

#: Openers for the declining location's last week: regulars noticing the change.
RECENT_OPENERS: dict[str, list[str]] = {
    "en": [
        "This used to be my favourite café, but lately it has gone badly downhill.",
        "Something has gone very wrong here in the last few days.",
        "I've been coming here for years and this week was the worst visit ever.",
        "So disappointed, the place has really changed for the worse recently.",
        "Used to love it here, but the last few visits were a disaster.",
    ],
    "de": [
        "Früher war das mein Lieblingscafé, aber in letzter Zeit geht es steil bergab.",
        "In den letzten Tagen ist hier etwas gewaltig schiefgelaufen.",
        "Ich komme seit Jahren her, und diese Woche war der schlechteste Besuch überhaupt.",
        "Total enttäuscht, der Laden hat sich zuletzt sehr zum Schlechten verändert.",
    ],
    "pl": [
        "Kiedyś to była moja ulubiona kawiarnia, ale ostatnio jest coraz gorzej.",
        "W ostatnich dniach coś się tu bardzo zepsuło.",
        "Chodzę tu od lat i ten tydzień to najgorsza wizyta w historii.",
        "Ogromne rozczarowanie, to miejsce ostatnio bardzo zmieniło się na gorsze.",
        "f|Kiedyś uwielbiałam to miejsce, ale ostatnie wizyty to katastrofa.",
    ],
}

#: Neutral sentences about each location's surroundings, keyed "brand/location" then language.
CONTEXT: dict[str, dict[str, list[str]]] = {
    "bella/krakow": {
        "en": [
            "We came in after a long walk around the Old Town.",
            "We sat by the window overlooking the Main Square.",
            "I dropped in on my way to the Cloth Hall.",
        ],
        "pl": [
            "Wpadliśmy po długim spacerze po Starym Mieście.",
            "Siedzieliśmy przy oknie z widokiem na Rynek.",
            "Zajrzeliśmy tu w drodze do Sukiennic.",
        ],
        "de": [
            "Wir kamen nach einem langen Spaziergang durch die Altstadt vorbei.",
            "Wir saßen am Fenster mit Blick auf den Hauptmarkt.",
            "Auf dem Weg zu den Tuchhallen kurz eingekehrt.",
        ],
    },
    "bella/berlin": {
        "en": [
            "We dropped by after a walk along the canal in Kreuzberg.",
            "I sat at the window looking out on Oranienstraße.",
            "Popped in before a meeting near Moritzplatz.",
        ],
        "de": [
            "Wir waren nach einem Spaziergang am Landwehrkanal hier.",
            "Ich saß am Fenster mit Blick auf die Oranienstraße.",
            "Kurz vor einem Termin am Moritzplatz vorbeigeschaut.",
        ],
    },
    "bella/madrid": {
        "en": [
            "We came in after wandering around Malasaña.",
            "I sat by the window facing Fuencarral street.",
            "Stopped here on the way to the Gran Vía.",
        ],
        "es": [
            "Entramos después de pasear por Malasaña.",
            "Me senté junto a la ventana que da a Fuencarral.",
            "Pasé antes de ir a una reunión cerca de Tribunal.",
        ],
    },
    "nordbrew/paris": {
        "en": [
            "We came by after a stroll through the Marais.",
            "I sat near the window on rue de Bretagne.",
            "Quick stop before the Marché des Enfants Rouges.",
        ],
        "fr": [
            "Nous sommes passés après une balade dans le Marais.",
            "f|J'étais assise près de la fenêtre, côté rue de Bretagne.",
            "Petit arrêt avant d'aller au marché des Enfants Rouges.",
        ],
    },
    "nordbrew/milano": {
        "en": [
            "We stopped in after walking around the Tortona district.",
            "I sat by the front window on Via Tortona.",
            "Quick break before visiting the Mudec museum.",
        ],
        "it": [
            "Siamo passati dopo una passeggiata in zona Tortona.",
            "f|Ero seduta vicino alla vetrina che dà su via Tortona.",
            "Una sosta veloce prima di una mostra al Mudec.",
        ],
    },
    "nordbrew/warszawa": {
        "en": [
            "I dropped in during a shopping break on Marszałkowska.",
            "We sat by the window with a view of the Palace of Culture.",
            "Quick stop before a meeting in the city centre.",
        ],
        "pl": [
            "f|Wpadłam w przerwie od zakupów na Marszałkowskiej.",
            "m|Siedziałem przy oknie z widokiem na Pałac Kultury.",
            "Szybki przystanek przed spotkaniem w centrum.",
        ],
    },
}

#: Fake display names, varied per culture, each with the grammatical gender the texts may need.
AUTHORS: dict[str, list[tuple[str, str]]] = {
    "en": [
        ("Emily R.", "f"), ("Tom H.", "m"), ("Priya S.", "f"), ("Daniel O'Connor", "m"), ("Sarah J.", "f"),
        ("Mike", "m"), ("Olivia W.", "f"), ("James K.", "m"), ("Hannah B.", "f"), ("Chris P.", "m"),
        ("Aisha M.", "f"), ("Ben T.", "m"), ("Laura G.", "f"), ("Ryan", "m"), ("Zoe L.", "f"),
        ("Kenji T.", "m"), ("Maria F.", "f"), ("Sam", "m"), ("Grace N.", "f"), ("Oliver D.", "m"),
    ],
    "pl": [
        ("Kasia W.", "f"), ("Tomasz Nowak", "m"), ("Magda K.", "f"), ("Piotr Z.", "m"), ("Agnieszka", "f"),
        ("Michał L.", "m"), ("Ola_krk", "f"), ("Bartek S.", "m"), ("Joanna M.", "f"), ("Krzysztof D.", "m"),
        ("Ewa P.", "f"), ("Marcin", "m"), ("Zuzia B.", "f"), ("Paweł G.", "m"), ("Monika R.", "f"),
        ("Jakub W.", "m"), ("Natalia", "f"), ("Grzegorz K.", "m"), ("Dominika S.", "f"), ("Łukasz T.", "m"),
    ],
    "de": [
        ("Jonas M.", "m"), ("Lena Schulz", "f"), ("Sabine K.", "f"), ("Tobias", "m"), ("Anna-Lena B.", "f"),
        ("Felix W.", "m"), ("Katrin H.", "f"), ("Maximilian", "m"), ("Jana R.", "f"), ("Stefan Becker", "m"),
        ("Miriam T.", "f"), ("Lukas F.", "m"), ("Hannah", "f"), ("Jörg P.", "m"), ("Nele S.", "f"),
    ],
    "es": [
        ("Lucía G.", "f"), ("Javier Martín", "m"), ("Carmen R.", "f"), ("Pablo", "m"), ("Marta S.", "f"),
        ("Alejandro F.", "m"), ("Elena P.", "f"), ("Sergio L.", "m"), ("Paula", "f"), ("Diego M.", "m"),
        ("Isabel C.", "f"), ("Álvaro N.", "m"), ("Nuria", "f"), ("Raúl T.", "m"),
    ],
    "fr": [
        ("Camille D.", "f"), ("Julien Moreau", "m"), ("Léa B.", "f"), ("Thomas", "m"), ("Manon L.", "f"),
        ("Hugo P.", "m"), ("Chloé R.", "f"), ("Antoine", "m"), ("Inès M.", "f"), ("Mathieu G.", "m"),
        ("Sophie", "f"), ("Étienne V.", "m"), ("Clara F.", "f"),
    ],
    "it": [
        ("Giulia R.", "f"), ("Marco Bianchi", "m"), ("Francesca", "f"), ("Luca P.", "m"), ("Chiara M.", "f"),
        ("Alessandro", "m"), ("Sara T.", "f"), ("Matteo G.", "m"), ("Valentina", "f"), ("Davide C.", "m"),
        ("Elena F.", "f"), ("Giorgio", "m"), ("Martina L.", "f"),
    ],
}  # fmt: skip
