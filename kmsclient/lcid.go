package kmsclient

// lcids names the Windows LCIDs an ePID carries (its sixth field): the
// language tag and English name of each LCID [MS-LCID] defines for a
// locale (not the transient 0x1000 and 0x2000-0x4000 ones, which name no
// language). Tags are MS-LCID's (BCP 47, with es-ES_tradnl as Windows
// spells it); names are CLDR's English names for the tag's language,
// script and region, written out once with golang.org/x/text/language/display
// so that kmsctl needs no CLDR at run time. Sorted by LCID (LanguageOf
// searches it), an array the compiler lays out in the binary: a map
// would be built by every process at start.
var lcids = [...]lcidName{
	{4, "zh-Hans", "Chinese (Simplified Han)"},                                        // 0x0004
	{1025, "ar-SA", "Arabic (Saudi Arabia)"},                                          // 0x0401
	{1026, "bg-BG", "Bulgarian (Bulgaria)"},                                           // 0x0402
	{1027, "ca-ES", "Catalan (Spain)"},                                                // 0x0403
	{1028, "zh-TW", "Chinese (Traditional, Taiwan)"},                                  // 0x0404
	{1029, "cs-CZ", "Czech (Czechia)"},                                                // 0x0405
	{1030, "da-DK", "Danish (Denmark)"},                                               // 0x0406
	{1031, "de-DE", "German (Germany)"},                                               // 0x0407
	{1032, "el-GR", "Greek (Greece)"},                                                 // 0x0408
	{1033, "en-US", "English (United States)"},                                        // 0x0409
	{1034, "es-ES_tradnl", "Spanish (Spain, Traditional Sort)"},                       // 0x040A
	{1035, "fi-FI", "Finnish (Finland)"},                                              // 0x040B
	{1036, "fr-FR", "French (France)"},                                                // 0x040C
	{1037, "he-IL", "Hebrew (Israel)"},                                                // 0x040D
	{1038, "hu-HU", "Hungarian (Hungary)"},                                            // 0x040E
	{1039, "is-IS", "Icelandic (Iceland)"},                                            // 0x040F
	{1040, "it-IT", "Italian (Italy)"},                                                // 0x0410
	{1041, "ja-JP", "Japanese (Japan)"},                                               // 0x0411
	{1042, "ko-KR", "Korean (Korea)"},                                                 // 0x0412
	{1043, "nl-NL", "Dutch (Netherlands)"},                                            // 0x0413
	{1044, "nb-NO", "Norwegian Bokmål (Norway)"},                                      // 0x0414
	{1045, "pl-PL", "Polish (Poland)"},                                                // 0x0415
	{1046, "pt-BR", "Portuguese (Brazil)"},                                            // 0x0416
	{1047, "rm-CH", "Romansh (Switzerland)"},                                          // 0x0417
	{1048, "ro-RO", "Romanian (Romania)"},                                             // 0x0418
	{1049, "ru-RU", "Russian (Russia)"},                                               // 0x0419
	{1050, "hr-HR", "Croatian (Croatia)"},                                             // 0x041A
	{1051, "sk-SK", "Slovak (Slovakia)"},                                              // 0x041B
	{1052, "sq-AL", "Albanian (Albania)"},                                             // 0x041C
	{1053, "sv-SE", "Swedish (Sweden)"},                                               // 0x041D
	{1054, "th-TH", "Thai (Thailand)"},                                                // 0x041E
	{1055, "tr-TR", "Turkish (Türkiye)"},                                              // 0x041F
	{1056, "ur-PK", "Urdu (Pakistan)"},                                                // 0x0420
	{1057, "id-ID", "Indonesian (Indonesia)"},                                         // 0x0421
	{1058, "uk-UA", "Ukrainian (Ukraine)"},                                            // 0x0422
	{1059, "be-BY", "Belarusian (Belarus)"},                                           // 0x0423
	{1060, "sl-SI", "Slovenian (Slovenia)"},                                           // 0x0424
	{1061, "et-EE", "Estonian (Estonia)"},                                             // 0x0425
	{1062, "lv-LV", "Latvian (Latvia)"},                                               // 0x0426
	{1063, "lt-LT", "Lithuanian (Lithuania)"},                                         // 0x0427
	{1064, "tg-TJ", "Tajik (Tajikistan)"},                                             // 0x0428
	{1065, "fa-IR", "Persian (Iran)"},                                                 // 0x0429
	{1066, "vi-VN", "Vietnamese (Vietnam)"},                                           // 0x042A
	{1067, "hy-AM", "Armenian (Armenia)"},                                             // 0x042B
	{1068, "az-Latn-AZ", "Azerbaijani (Latin, Azerbaijan)"},                           // 0x042C
	{1069, "eu-ES", "Basque (Spain)"},                                                 // 0x042D
	{1070, "hsb-DE", "Upper Sorbian (Germany)"},                                       // 0x042E
	{1071, "mk-MK", "Macedonian (Macedonia)"},                                         // 0x042F
	{1074, "tn-ZA", "Tswana (South Africa)"},                                          // 0x0432
	{1076, "xh-ZA", "Xhosa (South Africa)"},                                           // 0x0434
	{1077, "zu-ZA", "Zulu (South Africa)"},                                            // 0x0435
	{1078, "af-ZA", "Afrikaans (South Africa)"},                                       // 0x0436
	{1079, "ka-GE", "Georgian (Georgia)"},                                             // 0x0437
	{1080, "fo-FO", "Faroese (Faroe Islands)"},                                        // 0x0438
	{1081, "hi-IN", "Hindi (India)"},                                                  // 0x0439
	{1082, "mt-MT", "Maltese (Malta)"},                                                // 0x043A
	{1083, "se-NO", "Northern Sami (Norway)"},                                         // 0x043B
	{1086, "ms-MY", "Malay (Malaysia)"},                                               // 0x043E
	{1087, "kk-KZ", "Kazakh (Kazakhstan)"},                                            // 0x043F
	{1088, "ky-KG", "Kyrgyz (Kyrgyzstan)"},                                            // 0x0440
	{1089, "sw-KE", "Swahili (Kenya)"},                                                // 0x0441
	{1090, "tk-TM", "Turkmen (Turkmenistan)"},                                         // 0x0442
	{1091, "uz-Latn-UZ", "Uzbek (Latin, Uzbekistan)"},                                 // 0x0443
	{1092, "tt-RU", "Tatar (Russia)"},                                                 // 0x0444
	{1093, "bn-IN", "Bangla (India)"},                                                 // 0x0445
	{1094, "pa-IN", "Punjabi (India)"},                                                // 0x0446
	{1095, "gu-IN", "Gujarati (India)"},                                               // 0x0447
	{1096, "or-IN", "Odia (India)"},                                                   // 0x0448
	{1097, "ta-IN", "Tamil (India)"},                                                  // 0x0449
	{1098, "te-IN", "Telugu (India)"},                                                 // 0x044A
	{1099, "kn-IN", "Kannada (India)"},                                                // 0x044B
	{1100, "ml-IN", "Malayalam (India)"},                                              // 0x044C
	{1101, "as-IN", "Assamese (India)"},                                               // 0x044D
	{1102, "mr-IN", "Marathi (India)"},                                                // 0x044E
	{1103, "sa-IN", "Sanskrit (India)"},                                               // 0x044F
	{1104, "mn-MN", "Mongolian (Mongolia)"},                                           // 0x0450
	{1105, "bo-CN", "Tibetan (China)"},                                                // 0x0451
	{1106, "cy-GB", "Welsh (United Kingdom)"},                                         // 0x0452
	{1107, "km-KH", "Khmer (Cambodia)"},                                               // 0x0453
	{1108, "lo-LA", "Lao (Laos)"},                                                     // 0x0454
	{1110, "gl-ES", "Galician (Spain)"},                                               // 0x0456
	{1111, "kok-IN", "Konkani (India)"},                                               // 0x0457
	{1114, "syr-SY", "Syriac (Syria)"},                                                // 0x045A
	{1115, "si-LK", "Sinhala (Sri Lanka)"},                                            // 0x045B
	{1117, "iu-Cans-CA", "Inuktitut (Unified Canadian Aboriginal Syllabics, Canada)"}, // 0x045D
	{1118, "am-ET", "Amharic (Ethiopia)"},                                             // 0x045E
	{1121, "ne-NP", "Nepali (Nepal)"},                                                 // 0x0461
	{1122, "fy-NL", "Western Frisian (Netherlands)"},                                  // 0x0462
	{1123, "ps-AF", "Pashto (Afghanistan)"},                                           // 0x0463
	{1124, "fil-PH", "Filipino (Philippines)"},                                        // 0x0464
	{1125, "div-MV", "Divehi (Maldives)"},                                             // 0x0465
	{1128, "ha-Latn-NG", "Hausa (Latin, Nigeria)"},                                    // 0x0468
	{1130, "yo-NG", "Yoruba (Nigeria)"},                                               // 0x046A
	{1131, "quz-BO", "Quechua (Bolivia)"},                                             // 0x046B
	{1132, "nso-ZA", "Northern Sotho (South Africa)"},                                 // 0x046C
	{1133, "ba-RU", "Bashkir (Russia)"},                                               // 0x046D
	{1134, "lb-LU", "Luxembourgish (Luxembourg)"},                                     // 0x046E
	{1135, "kl-GL", "Kalaallisut (Greenland)"},                                        // 0x046F
	{1136, "ig-NG", "Igbo (Nigeria)"},                                                 // 0x0470
	{1139, "ti-ET", "Tigrinya (Ethiopia)"},                                            // 0x0473
	{1141, "haw-US", "Hawaiian (United States)"},                                      // 0x0475
	{1143, "so-SO", "Somali (Somalia)"},                                               // 0x0477
	{1144, "ii-CN", "Sichuan Yi (China)"},                                             // 0x0478
	{1146, "arn-CL", "Mapuche (Chile)"},                                               // 0x047A
	{1148, "moh-CA", "Mohawk (Canada)"},                                               // 0x047C
	{1150, "br-FR", "Breton (France)"},                                                // 0x047E
	{1152, "ug-CN", "Uyghur (China)"},                                                 // 0x0480
	{1153, "mi-NZ", "Maori (New Zealand)"},                                            // 0x0481
	{1154, "oc-FR", "Occitan (France)"},                                               // 0x0482
	{1155, "co-FR", "Corsican (France)"},                                              // 0x0483
	{1156, "gsw-FR", "Swiss German (France)"},                                         // 0x0484
	{1157, "sah-RU", "Sakha (Russia)"},                                                // 0x0485
	{1158, "quc-Latn-GT", "Kʼicheʼ (Latin, Guatemala)"},                               // 0x0486
	{1159, "rw-RW", "Kinyarwanda (Rwanda)"},                                           // 0x0487
	{1160, "wo-SN", "Wolof (Senegal)"},                                                // 0x0488
	{1164, "prs-AF", " (Afghanistan)"},                                                // 0x048C
	{1169, "gd-GB", "Scottish Gaelic (United Kingdom)"},                               // 0x0491
	{1170, "ku-Arab-IQ", "Kurdish (Arabic, Iraq)"},                                    // 0x0492
	{2049, "ar-IQ", "Arabic (Iraq)"},                                                  // 0x0801
	{2052, "zh-CN", "Chinese (Simplified, China)"},                                    // 0x0804
	{2055, "de-CH", "German (Switzerland)"},                                           // 0x0807
	{2057, "en-GB", "English (United Kingdom)"},                                       // 0x0809
	{2058, "es-MX", "Spanish (Mexico)"},                                               // 0x080A
	{2060, "fr-BE", "French (Belgium)"},                                               // 0x080C
	{2064, "it-CH", "Italian (Switzerland)"},                                          // 0x0810
	{2067, "nl-BE", "Dutch (Belgium)"},                                                // 0x0813
	{2068, "nn-NO", "Norwegian Nynorsk (Norway)"},                                     // 0x0814
	{2070, "pt-PT", "Portuguese (Portugal)"},                                          // 0x0816
	{2074, "sr-Latn-CS", "Serbian (Latin)"},                                           // 0x081A
	{2077, "sv-FI", "Swedish (Finland)"},                                              // 0x081D
	{2080, "ur-IN", "Urdu (India)"},                                                   // 0x0820
	{2092, "az-Cyrl-AZ", "Azerbaijani (Cyrillic, Azerbaijan)"},                        // 0x082C
	{2094, "dsb-DE", "Lower Sorbian (Germany)"},                                       // 0x082E
	{2098, "tn-BW", "Tswana (Botswana)"},                                              // 0x0832
	{2107, "se-SE", "Northern Sami (Sweden)"},                                         // 0x083B
	{2108, "ga-IE", "Irish (Ireland)"},                                                // 0x083C
	{2110, "ms-BN", "Malay (Brunei)"},                                                 // 0x083E
	{2115, "uz-Cyrl-UZ", "Uzbek (Cyrillic, Uzbekistan)"},                              // 0x0843
	{2118, "pa-Arab-PK", "Punjabi (Arabic, Pakistan)"},                                // 0x0846
	{2128, "mn-Mong-CN", "Mongolian (Mongolian, China)"},                              // 0x0850
	{2129, "bo-BT", "Tibetan (Bhutan)"},                                               // 0x0851
	{2137, "sd-Arab-PK", "Sindhi (Arabic, Pakistan)"},                                 // 0x0859
	{2141, "iu-Latn-CA", "Inuktitut (Latin, Canada)"},                                 // 0x085D
	{2143, "tzm-Latn-DZ", "Central Atlas Tamazight (Latin, Algeria)"},                 // 0x085F
	{2145, "ne-IN", "Nepali (India)"},                                                 // 0x0861
	{2155, "quz-EC", "Quechua (Ecuador)"},                                             // 0x086B
	{2163, "ti-ER", "Tigrinya (Eritrea)"},                                             // 0x0873
	{3073, "ar-EG", "Arabic (Egypt)"},                                                 // 0x0C01
	{3076, "zh-HK", "Chinese (Traditional, Hong Kong SAR)"},                           // 0x0C04
	{3079, "de-AT", "German (Austria)"},                                               // 0x0C07
	{3081, "en-AU", "English (Australia)"},                                            // 0x0C09
	{3082, "es-ES", "Spanish (Spain)"},                                                // 0x0C0A
	{3084, "fr-CA", "French (Canada)"},                                                // 0x0C0C
	{3098, "sr-Cyrl-CS", "Serbian (Cyrillic, Serbia and Montenegro)"},                 // 0x0C1A
	{3131, "se-FI", "Northern Sami (Finland)"},                                        // 0x0C3B
	{3179, "quz-PE", "Quechua (Peru)"},                                                // 0x0C6B
	{4097, "ar-LY", "Arabic (Libya)"},                                                 // 0x1001
	{4100, "zh-SG", "Chinese (Singapore)"},                                            // 0x1004
	{4103, "de-LU", "German (Luxembourg)"},                                            // 0x1007
	{4105, "en-CA", "English (Canada)"},                                               // 0x1009
	{4106, "es-GT", "Spanish (Guatemala)"},                                            // 0x100A
	{4108, "fr-CH", "French (Switzerland)"},                                           // 0x100C
	{4122, "hr-BA", "Croatian (Bosnia & Herzegovina)"},                                // 0x101A
	{4155, "smj-NO", "Lule Sami (Norway)"},                                            // 0x103B
	{5121, "ar-DZ", "Arabic (Algeria)"},                                               // 0x1401
	{5124, "zh-MO", "Chinese (Macau SAR China)"},                                      // 0x1404
	{5127, "de-LI", "German (Liechtenstein)"},                                         // 0x1407
	{5129, "en-NZ", "English (New Zealand)"},                                          // 0x1409
	{5130, "es-CR", "Spanish (Costa Rica)"},                                           // 0x140A
	{5132, "fr-LU", "French (Luxembourg)"},                                            // 0x140C
	{5146, "bs-Latn-BA", "Bosnian (Latin, Bosnia & Herzegovina)"},                     // 0x141A
	{5179, "smj-SE", "Lule Sami (Sweden)"},                                            // 0x143B
	{6145, "ar-MA", "Arabic (Morocco)"},                                               // 0x1801
	{6153, "en-IE", "English (Ireland)"},                                              // 0x1809
	{6154, "es-PA", "Spanish (Panama)"},                                               // 0x180A
	{6156, "fr-MC", "French (Monaco)"},                                                // 0x180C
	{6170, "sr-Latn-BA", "Serbian (Latin, Bosnia & Herzegovina)"},                     // 0x181A
	{6203, "sma-NO", "Southern Sami (Norway)"},                                        // 0x183B
	{7169, "ar-TN", "Arabic (Tunisia)"},                                               // 0x1C01
	{7177, "en-ZA", "English (South Africa)"},                                         // 0x1C09
	{7178, "es-DO", "Spanish (Dominican Republic)"},                                   // 0x1C0A
	{7194, "sr-Cyrl-BA", "Serbian (Cyrillic, Bosnia & Herzegovina)"},                  // 0x1C1A
	{7227, "sma-SE", "Southern Sami (Sweden)"},                                        // 0x1C3B
	{8193, "ar-OM", "Arabic (Oman)"},                                                  // 0x2001
	{8201, "en-JM", "English (Jamaica)"},                                              // 0x2009
	{8202, "es-VE", "Spanish (Venezuela)"},                                            // 0x200A
	{8218, "bs-Cyrl-BA", "Bosnian (Cyrillic, Bosnia & Herzegovina)"},                  // 0x201A
	{8251, "sms-FI", "Skolt Sami (Finland)"},                                          // 0x203B
	{9217, "ar-YE", "Arabic (Yemen)"},                                                 // 0x2401
	{9225, "en-029", "English (Caribbean)"},                                           // 0x2409
	{9226, "es-CO", "Spanish (Colombia)"},                                             // 0x240A
	{9242, "sr-Latn-RS", "Serbian (Latin, Serbia)"},                                   // 0x241A
	{9275, "smn-FI", "Inari Sami (Finland)"},                                          // 0x243B
	{10241, "ar-SY", "Arabic (Syria)"},                                                // 0x2801
	{10249, "en-BZ", "English (Belize)"},                                              // 0x2809
	{10250, "es-PE", "Spanish (Peru)"},                                                // 0x280A
	{10266, "sr-Cyrl-RS", "Serbian (Cyrillic, Serbia)"},                               // 0x281A
	{11265, "ar-JO", "Arabic (Jordan)"},                                               // 0x2C01
	{11273, "en-TT", "English (Trinidad & Tobago)"},                                   // 0x2C09
	{11274, "es-AR", "Spanish (Argentina)"},                                           // 0x2C0A
	{11290, "sr-Latn-ME", "Serbian (Latin, Montenegro)"},                              // 0x2C1A
	{12289, "ar-LB", "Arabic (Lebanon)"},                                              // 0x3001
	{12297, "en-ZW", "English (Zimbabwe)"},                                            // 0x3009
	{12298, "es-EC", "Spanish (Ecuador)"},                                             // 0x300A
	{12314, "sr-Cyrl-ME", "Serbian (Cyrillic, Montenegro)"},                           // 0x301A
	{13313, "ar-KW", "Arabic (Kuwait)"},                                               // 0x3401
	{13321, "en-PH", "English (Philippines)"},                                         // 0x3409
	{13322, "es-CL", "Spanish (Chile)"},                                               // 0x340A
	{14337, "ar-AE", "Arabic (United Arab Emirates)"},                                 // 0x3801
	{14346, "es-UY", "Spanish (Uruguay)"},                                             // 0x380A
	{15361, "ar-BH", "Arabic (Bahrain)"},                                              // 0x3C01
	{15370, "es-PY", "Spanish (Paraguay)"},                                            // 0x3C0A
	{16385, "ar-QA", "Arabic (Qatar)"},                                                // 0x4001
	{16393, "en-IN", "English (India)"},                                               // 0x4009
	{16394, "es-BO", "Spanish (Bolivia)"},                                             // 0x400A
	{17417, "en-MY", "English (Malaysia)"},                                            // 0x4409
	{17418, "es-SV", "Spanish (El Salvador)"},                                         // 0x440A
	{18441, "en-SG", "English (Singapore)"},                                           // 0x4809
	{18442, "es-HN", "Spanish (Honduras)"},                                            // 0x480A
	{19466, "es-NI", "Spanish (Nicaragua)"},                                           // 0x4C0A
	{20490, "es-PR", "Spanish (Puerto Rico)"},                                         // 0x500A
	{21514, "es-US", "Spanish (United States)"},                                       // 0x540A
	{31748, "zh-Hant", "Chinese (Traditional Han)"},                                   // 0x7C04
}

// lcidName is one row of lcids.
type lcidName struct {
	id        int
	tag, name string
}
