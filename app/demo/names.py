"""Moroccan personal names in Latin and Arabic script, for demonstration data.

Each entry pairs a Latin spelling with its usual Arabic spelling. The Latin spellings
are the ones found on Moroccan documents, which follow French conventions: several
Latin spellings for one Arabic name (``Said``/``Saïd``, ``Alaoui``/``El Alaoui``), with
diaeresis and accents now and then, so that search has to cope with exactly what staff
will type. The two scripts of one name differ in length and articles (``El Fassi`` /
``الفاسي``): search must find a person by either.
"""

from __future__ import annotations

Name = tuple[str, str]
"""(Latin spelling, Arabic spelling)."""

# fmt: off

MALE_FIRST_NAMES: tuple[Name, ...] = (
    ("Mohamed", "محمد"), ("Mohammed", "محمد"), ("Ahmed", "أحمد"), ("Abdellah", "عبد الله"),
    ("Youssef", "يوسف"), ("Hassan", "حسن"), ("Hicham", "هشام"), ("Rachid", "رشيد"),
    ("Said", "سعيد"), ("Saïd", "سعيد"), ("Mustapha", "مصطفى"), ("Omar", "عمر"),
    ("Khalid", "خالد"), ("Abdelaziz", "عبد العزيز"), ("Abderrahim", "عبد الرحيم"),
    ("Abdelkader", "عبد القادر"), ("Aziz", "عزيز"), ("Karim", "كريم"), ("Nabil", "نبيل"),
    ("Hamid", "حميد"), ("Driss", "إدريس"), ("Brahim", "إبراهيم"), ("Ismail", "إسماعيل"),
    ("Ismaïl", "إسماعيل"), ("Jamal", "جمال"), ("Mehdi", "مهدي"), ("Amine", "أمين"),
    ("Mohamed Amine", "محمد أمين"), ("Anas", "أنس"), ("Ayoub", "أيوب"), ("Bilal", "بلال"),
    ("Hamza", "حمزة"), ("Zakaria", "زكرياء"), ("Soufiane", "سفيان"), ("Othmane", "عثمان"),
    ("Yassine", "ياسين"), ("Réda", "رضا"), ("Reda", "رضا"), ("Adil", "عادل"),
    ("Tarik", "طارق"), ("Mourad", "مراد"), ("Noureddine", "نور الدين"),
    ("Abdelhak", "عبد الحق"), ("Abdelilah", "عبد الإله"), ("Abdelghani", "عبد الغني"),
    ("Abdeslam", "عبد السلام"), ("Lahcen", "لحسن"), ("Houssine", "حسين"),
    ("Mbarek", "مبارك"), ("Larbi", "العربي"), ("Miloud", "ميلود"), ("Jilali", "الجيلالي"),
    ("Bouchaib", "بوشعيب"), ("Abdeljalil", "عبد الجليل"), ("Aïssa", "عيسى"),
    ("Younes", "يونس"), ("Badr", "بدر"), ("Ilyas", "إلياس"), ("Marouane", "مروان"),
    ("Walid", "وليد"), ("Khalil", "خليل"), ("Hakim", "حكيم"), ("Fouad", "فؤاد"),
    ("Mohcine", "محسن"), ("Ali", "علي"), ("Allal", "علال"), ("Kamal", "كمال"),
    ("Redouane", "رضوان"), ("Salah", "صلاح"), ("Taoufik", "توفيق"), ("Zouhair", "زهير"),
    ("Samir", "سمير"), ("Yahya", "يحيى"), ("Abdessamad", "عبد الصمد"),
    ("Abdelmajid", "عبد المجيد"), ("Azzeddine", "عز الدين"), ("Jaouad", "جواد"),
    ("Oussama", "أسامة"), ("Achraf", "أشرف"), ("Ayman", "أيمن"), ("Saad", "سعد"),
    ("Chakib", "شكيب"), ("Abdelouahed", "عبد الواحد"), ("Boubker", "بوبكر"),
    ("Mimoun", "ميمون"), ("Moha", "موحا"), ("Hammou", "حمو"), ("Abdelaâli", "عبد العالي"),
    ("Abdelali", "عبد العالي"), ("Abdelfattah", "عبد الفتاح"), ("Abdelhamid", "عبد الحميد"),
    ("Idriss", "إدريس"), ("Mounir", "منير"), ("Nourdine", "نور الدين"),
    ("Lhoussaine", "لحسين"), ("Tayeb", "الطيب"), ("Smail", "إسماعيل"), ("Mustafa", "مصطفى"),
    ("Hassane", "حسن"), ("Abdelkrim", "عبد الكريم"), ("Najib", "نجيب"),
)

FEMALE_FIRST_NAMES: tuple[Name, ...] = (
    ("Fatima", "فاطمة"), ("Fatima-Zahra", "فاطمة الزهراء"), ("Fatima Ezzahra", "فاطمة الزهراء"),
    ("Khadija", "خديجة"), ("Aïcha", "عائشة"), ("Aicha", "عائشة"), ("Naima", "نعيمة"),
    ("Malika", "مليكة"), ("Zineb", "زينب"), ("Meryem", "مريم"), ("Salma", "سلمى"),
    ("Hanane", "حنان"), ("Nadia", "نادية"), ("Samira", "سميرة"), ("Latifa", "لطيفة"),
    ("Rachida", "رشيدة"), ("Saïda", "سعيدة"), ("Fouzia", "فوزية"), ("Hayat", "حياة"),
    ("Amina", "أمينة"), ("Asmae", "أسماء"), ("Imane", "إيمان"), ("Loubna", "لبنى"),
    ("Siham", "سهام"), ("Souad", "سعاد"), ("Karima", "كريمة"), ("Hafsa", "حفصة"),
    ("Houda", "هدى"), ("Ghizlane", "غزلان"), ("Widad", "وداد"), ("Btissam", "ابتسام"),
    ("Kawtar", "كوثر"), ("Sanae", "سناء"), ("Nora", "نورة"), ("Zahra", "زهرة"),
    ("Mina", "مينة"), ("Hasna", "حسناء"), ("Laila", "ليلى"), ("Yamna", "يامنة"),
    ("Rkia", "رقية"), ("Touria", "ثريا"), ("Jamila", "جميلة"), ("Halima", "حليمة"),
    ("Habiba", "حبيبة"), ("Nezha", "نزهة"), ("Ilham", "إلهام"), ("Wafae", "وفاء"),
    ("Soukaina", "سكينة"), ("Oumaima", "أميمة"), ("Chaimae", "شيماء"), ("Ikram", "إكرام"),
    ("Hind", "هند"),
)

FAMILY_NAMES: tuple[Name, ...] = (
    ("Alaoui", "العلوي"), ("El Alaoui", "العلوي"), ("Benjelloun", "بنجلون"),
    ("El Ouazzani", "الوزاني"), ("Ouazzani", "الوزاني"), ("Bennani", "بناني"),
    ("Tazi", "التازي"), ("El Fassi", "الفاسي"), ("Berrada", "برادة"), ("Chraibi", "الشرايبي"),
    ("Chraïbi", "الشرايبي"), ("El Idrissi", "الإدريسي"), ("Idrissi", "الإدريسي"),
    ("El Amrani", "العمراني"), ("Amrani", "العمراني"), ("Benali", "بنعلي"),
    ("Lahlou", "لحلو"), ("Sqalli", "الصقلي"), ("Kettani", "الكتاني"), ("Bennis", "بنيس"),
    ("Guessous", "كسوس"), ("Lazrak", "لزرق"), ("Cherkaoui", "الشرقاوي"), ("Hajji", "الحجي"),
    ("Ouali", "الوالي"), ("Aït Taleb", "آيت الطالب"), ("Ait Taleb", "آيت الطالب"),
    ("Aït Ali", "آيت علي"), ("Ait Lahcen", "آيت لحسن"), ("Aït Said", "آيت سعيد"),
    ("Ait Hammou", "آيت حمو"), ("Aït El Caid", "آيت القايد"), ("Bouzid", "بوزيد"),
    ("El Boukhari", "البخاري"), ("Ziani", "الزياني"), ("El Mansouri", "المنصوري"),
    ("Mansouri", "المنصوري"), ("Naciri", "الناصري"), ("Filali", "الفيلالي"),
    ("Slaoui", "السلاوي"), ("Rifi", "الريفي"), ("Soussi", "السوسي"), ("Doukkali", "الدكالي"),
    ("Chaoui", "الشاوي"), ("Zemmouri", "الزموري"), ("El Haddad", "الحداد"),
    ("Bakkali", "البقالي"), ("Moussaoui", "الموساوي"), ("Azzouzi", "العزوزي"),
    ("Benmoussa", "بنموسى"), ("Benchekroun", "بنشقرون"), ("Benabdellah", "بنعبد الله"),
    ("Bensaid", "بنسعيد"), ("Benhaddou", "بنحدو"), ("Belhaj", "بلحاج"),
    ("Belkadi", "بلقاضي"), ("Bouazza", "بوعزة"), ("Boutaleb", "بوطالب"), ("Chafik", "شفيق"),
    ("Daoudi", "الداودي"), ("Dahbi", "الذهبي"), ("Ennaji", "الناجي"), ("Errami", "الرامي"),
    ("Essaidi", "السعيدي"), ("Fikri", "فكري"), ("Ghazi", "غازي"), ("Hamdaoui", "الحمداوي"),
    ("Hassani", "الحساني"), ("El Hassani", "الحساني"), ("Jabri", "الجابري"),
    ("Kabbaj", "القباج"), ("Karimi", "الكريمي"), ("Khalfi", "الخلفي"), ("Lamrani", "لمراني"),
    ("Marzouki", "المرزوقي"), ("Mernissi", "المرنيسي"), ("Rahmouni", "الرحموني"),
    ("Saadi", "السعدي"), ("Sebti", "السبتي"), ("Semlali", "السملالي"), ("Tahiri", "الطاهري"),
    ("Talbi", "الطالبي"), ("Touzani", "التوزاني"), ("Yacoubi", "اليعقوبي"),
    ("Zeroual", "زروال"), ("Zniber", "زنيبر"), ("Ouchen", "أوشن"),
    ("Id Brahim", "إد إبراهيم"), ("Oukhouya", "أوخويا"), ("Akdim", "أقديم"),
    ("Amzil", "أمزيل"), ("El Khattabi", "الخطابي"), ("Tounsi", "التونسي"),
    ("Benomar", "بنعمر"), ("Benyahia", "بنيحيى"), ("Bouhlal", "بوهلال"),
    ("El Hilali", "الهلالي"), ("Hilali", "الهلالي"), ("Lamghari", "المغاري"),
    ("Mouline", "مولين"), ("Naji", "ناجي"), ("Sbai", "السباعي"), ("Sbaï", "السباعي"),
    ("El Ghazi", "الغازي"), ("Ghazouani", "الغزواني"), ("Zaki", "زكي"),
    ("El Kadiri", "القادري"), ("Kadiri", "القادري"), ("El Mokhtari", "المختاري"),
    ("Najjar", "النجار"), ("Nejjar", "النجار"), ("Raji", "الراجي"), ("Regragui", "الركراكي"),
    ("Sahraoui", "الصحراوي"), ("Skalli", "الصقلي"), ("Laaroussi", "العروسي"),
    ("El Aroussi", "العروسي"), ("Lakhdar", "لخضر"), ("El Maati", "المعطي"),
    ("Harti", "الحارثي"), ("Bourhim", "بورحيم"), ("Chahboun", "شهبون"), ("Charafi", "الشرفي"),
    ("Darif", "الضريف"), ("El Bouazzaoui", "البوعزاوي"), ("Fahmi", "فهمي"),
    ("Gharbi", "الغربي"), ("El Gharbi", "الغربي"), ("Habibi", "الحبيبي"),
    ("Jaafari", "الجعفري"), ("Kharbouch", "خربوش"), ("Ouardi", "الوردي"),
    ("Rahali", "الرحالي"), ("Sabri", "صبري"), ("Tijani", "التيجاني"), ("Ouakrim", "أوكريم"),
    ("El Yazidi", "اليزيدي"), ("El Hamri", "الحمري"), ("Bouchta", "بوشتى"),
    ("El Khatib", "الخطيب"), ("Belghiti", "بلغيتي"), ("Bennouna", "بنونة"),
    ("Cherradi", "الشرادي"), ("Benslimane", "بنسليمان"), ("El Ouafi", "الوافي"),
    ("Meknassi", "المكناسي"), ("Marrakchi", "المراكشي"), ("Tanjaoui", "الطنجاوي"),
    ("Chaouni", "الشاوني"), ("Rbati", "الرباطي"), ("Fassi-Fihri", "الفاسي الفهري"),
    ("El Jazouli", "الجزولي"), ("Nasri", "النصري"), ("Zerhouni", "الزرهوني"),
    ("Sefrioui", "الصفريوي"), ("Britel", "بريطل"), ("Lyoussi", "اليوسي"),
)

CIN_PREFIXES: tuple[str, ...] = (
    "A", "AB", "AD", "B", "BE", "BH", "BJ", "BK", "BL", "C", "CB", "CD", "D", "DA", "E",
    "EE", "F", "FA", "G", "GA", "GM", "H", "HA", "I", "IA", "J", "JA", "JB", "JC", "JE",
    "JH", "K", "KB", "L", "LA", "LB", "M", "MC", "N", "P", "PA", "Q", "R", "S", "SH", "T",
    "TA", "U", "UA", "V", "W", "WA", "X", "Y", "Z", "ZG",
)
"""Letter prefixes of the national identity card (they name the issuing area)."""

RELATIVES: tuple[tuple[str, str], ...] = (
    ("Mère", "F"), ("Père", "M"), ("Frère", "M"), ("Sœur", "F"), ("Épouse", "F"),
    ("Époux", "M"), ("Oncle", "M"), ("Tante", "F"), ("Cousin", "M"), ("Fils", "M"),
)
"""Contact persons as written on intake forms; the second field is the relative's sex."""
# fmt: on
