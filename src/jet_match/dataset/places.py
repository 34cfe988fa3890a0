"""Real place names the fixture generator draws Contracting Organizations from.

The municipalities are real cities (市), towns (町), villages (村) and Tokyo's special
wards (区), listed by JIS prefecture code, romaji then kanji. A leading `*` marks a large
city (core cities and the like: urban), a leading `~` a remote island municipality.
Everything the generator attaches to them (openings, slots, sister ties, area types
beyond these marks) is invented; see docs/fixtures.md.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from functools import cache


class MunicipalityKind(StrEnum):
    """City, town, village or special ward, from the kanji suffix."""

    CITY = "city"
    TOWN = "town"
    VILLAGE = "village"
    WARD = "ward"


_SUFFIX_KIND = {
    "市": MunicipalityKind.CITY,
    "町": MunicipalityKind.TOWN,
    "村": MunicipalityKind.VILLAGE,
    "区": MunicipalityKind.WARD,
}


@dataclass(frozen=True, slots=True)
class Municipality:
    """A real municipality: where it is, what it is called, how big it is."""

    prefecture: int
    romaji: str
    kanji: str
    kind: MunicipalityKind
    large: bool
    island: bool

    @property
    def english_name(self) -> str:
        """`Hakodate City`, `Niseko Town`, `Setagaya Ward`."""
        return f"{self.romaji} {self.kind.value.title()}"


@dataclass(frozen=True, slots=True)
class DesignatedCity:
    """One of the 20 cities designated by government ordinance (seirei shitei toshi)."""

    prefecture: int
    romaji: str
    kanji: str


DESIGNATED_CITIES: tuple[DesignatedCity, ...] = (
    DesignatedCity(1, "Sapporo", "札幌市"),
    DesignatedCity(4, "Sendai", "仙台市"),
    DesignatedCity(11, "Saitama", "さいたま市"),
    DesignatedCity(12, "Chiba", "千葉市"),
    DesignatedCity(14, "Kawasaki", "川崎市"),
    DesignatedCity(14, "Yokohama", "横浜市"),
    DesignatedCity(14, "Sagamihara", "相模原市"),
    DesignatedCity(15, "Niigata", "新潟市"),
    DesignatedCity(22, "Shizuoka", "静岡市"),
    DesignatedCity(22, "Hamamatsu", "浜松市"),
    DesignatedCity(23, "Nagoya", "名古屋市"),
    DesignatedCity(26, "Kyoto", "京都市"),
    DesignatedCity(27, "Osaka", "大阪市"),
    DesignatedCity(27, "Sakai", "堺市"),
    DesignatedCity(28, "Kobe", "神戸市"),
    DesignatedCity(33, "Okayama", "岡山市"),
    DesignatedCity(34, "Hiroshima", "広島市"),
    DesignatedCity(40, "Kitakyushu", "北九州市"),
    DesignatedCity(40, "Fukuoka", "福岡市"),
    DesignatedCity(43, "Kumamoto", "熊本市"),
)

_MUNICIPALITIES = """
01 *Hakodate:函館市 Otaru:小樽市 *Asahikawa:旭川市 Muroran:室蘭市 Kushiro:釧路市 Obihiro:帯広市
    Kitami:北見市 Yubari:夕張市 Iwamizawa:岩見沢市 Abashiri:網走市 Rumoi:留萌市
    Tomakomai:苫小牧市 Wakkanai:稚内市 Bibai:美唄市 Ashibetsu:芦別市 Ebetsu:江別市
    Akabira:赤平市 Monbetsu:紋別市 Shibetsu:士別市 Nayoro:名寄市 Mikasa:三笠市 Nemuro:根室市
    Chitose:千歳市 Takikawa:滝川市 Sunagawa:砂川市 Fukagawa:深川市 Furano:富良野市
    Noboribetsu:登別市 Eniwa:恵庭市 Date:伊達市 Kitahiroshima:北広島市 Ishikari:石狩市
    Hokuto:北斗市 Niseko:ニセコ町 Kutchan:倶知安町 Biei:美瑛町 Higashikawa:東川町 Otofuke:音更町
    Shiraoi:白老町 Yoichi:余市町 Shari:斜里町 Rausu:羅臼町 Esashi:江差町 ~Okushiri:奥尻町
    ~Rishiri:利尻町 ~Rebun:礼文町 Shimukappu:占冠村 Tsurui:鶴居村 Akaigawa:赤井川村
    Makkari:真狩村
02 *Aomori:青森市 Hirosaki:弘前市 *Hachinohe:八戸市 Kuroishi:黒石市 Goshogawara:五所川原市
    Towada:十和田市 Misawa:三沢市 Mutsu:むつ市 Tsugaru:つがる市 Hirakawa:平川市
    Ajigasawa:鰺ヶ沢町 Fukaura:深浦町 Nakadomari:中泊町 Noheji:野辺地町 Shichinohe:七戸町
    Rokunohe:六戸町 Gonohe:五戸町 Sannohe:三戸町 Oirase:おいらせ町 Rokkasho:六ヶ所村
    Kazamaura:風間浦村 Inakadate:田舎館村
03 *Morioka:盛岡市 Miyako:宮古市 Ofunato:大船渡市 Hanamaki:花巻市 Kitakami:北上市 Kuji:久慈市
    Tono:遠野市 Ichinoseki:一関市 Rikuzentakata:陸前高田市 Kamaishi:釜石市 Ninohe:二戸市
    Hachimantai:八幡平市 Oshu:奥州市 Takizawa:滝沢市 Shizukuishi:雫石町 Iwate:岩手町
    Hiraizumi:平泉町 Otsuchi:大槌町 Yamada:山田町 Iwaizumi:岩泉町 Tanohata:田野畑村 Fudai:普代村
    Karumai:軽米町
04 Ishinomaki:石巻市 Shiogama:塩竈市 Kesennuma:気仙沼市 Shiroishi:白石市 Natori:名取市
    Kakuda:角田市 Tagajo:多賀城市 Iwanuma:岩沼市 Tome:登米市 Kurihara:栗原市
    Higashimatsushima:東松島市 Osaki:大崎市 Tomiya:富谷市 Zao:蔵王町 Shichikashuku:七ヶ宿町
    Ogawara:大河原町 Murata:村田町 Shibata:柴田町 Marumori:丸森町 Watari:亘理町 Yamamoto:山元町
    Matsushima:松島町 Rifu:利府町 Onagawa:女川町 Minamisanriku:南三陸町 Ohira:大衡村
05 *Akita:秋田市 Noshiro:能代市 Yokote:横手市 Odate:大館市 Oga:男鹿市 Yuzawa:湯沢市
    Kazuno:鹿角市 Yurihonjo:由利本荘市 Katagami:潟上市 Daisen:大仙市 Kitaakita:北秋田市
    Nikaho:にかほ市 Semboku:仙北市 Kosaka:小坂町 Fujisato:藤里町 Mitane:三種町 Happo:八峰町
    Gojome:五城目町 Hachirogata:八郎潟町 Misato:美郷町 Ugo:羽後町 Higashinaruse:東成瀬村
    Kamikoani:上小阿仁村 Ogata:大潟村
06 *Yamagata:山形市 Yonezawa:米沢市 Tsuruoka:鶴岡市 Sakata:酒田市 Shinjo:新庄市 Sagae:寒河江市
    Kaminoyama:上山市 Murayama:村山市 Nagai:長井市 Tendo:天童市 Higashine:東根市
    Obanazawa:尾花沢市 Nan'yo:南陽市 Yamanobe:山辺町 Nakayama:中山町 Kahoku:河北町
    Nishikawa:西川町 Asahi:朝日町 Oe:大江町 Mogami:最上町 Funagata:舟形町 Kaneyama:金山町
    Shirataka:白鷹町 Oguni:小国町 Yuza:遊佐町 Shonai:庄内町 Tozawa:戸沢村 Okura:大蔵村
07 *Fukushima:福島市 Aizuwakamatsu:会津若松市 *Koriyama:郡山市 *Iwaki:いわき市 Shirakawa:白河市
    Sukagawa:須賀川市 Kitakata:喜多方市 Soma:相馬市 Nihonmatsu:二本松市 Tamura:田村市
    Minamisoma:南相馬市 Date:伊達市 Motomiya:本宮市 Kori:桑折町 Kunimi:国見町
    Inawashiro:猪苗代町 Bandai:磐梯町 Aizubange:会津坂下町 Minamiaizu:南会津町 Tadami:只見町
    Shimogo:下郷町 Hanawa:塙町 Ishikawa:石川町 Tenei:天栄村 Kitashiobara:北塩原村
    Hinoemata:檜枝岐村
08 *Mito:水戸市 Hitachi:日立市 Tsuchiura:土浦市 Koga:古河市 Ishioka:石岡市 Yuki:結城市
    Ryugasaki:龍ケ崎市 Shimotsuma:下妻市 Joso:常総市 Hitachiota:常陸太田市 Takahagi:高萩市
    Kitaibaraki:北茨城市 Kasama:笠間市 Toride:取手市 Ushiku:牛久市 *Tsukuba:つくば市
    Hitachinaka:ひたちなか市 Kashima:鹿嶋市 Itako:潮来市 Moriya:守谷市 Naka:那珂市
    Chikusei:筑西市 Bando:坂東市 Inashiki:稲敷市 Kasumigaura:かすみがうら市 Sakuragawa:桜川市
    Kamisu:神栖市 Namegata:行方市 Hokota:鉾田市 Oarai:大洗町 Shirosato:城里町 Daigo:大子町
    Tokai:東海村 Miho:美浦村
09 *Utsunomiya:宇都宮市 Ashikaga:足利市 Tochigi:栃木市 Sano:佐野市 Kanuma:鹿沼市 Nikko:日光市
    Oyama:小山市 Moka:真岡市 Otawara:大田原市 Yaita:矢板市 Nasushiobara:那須塩原市
    Sakura:さくら市 Nasukarasuyama:那須烏山市 Shimotsuke:下野市 Kaminokawa:上三川町
    Mashiko:益子町 Motegi:茂木町 Ichikai:市貝町 Haga:芳賀町 Mibu:壬生町 Nogi:野木町
    Shioya:塩谷町 Takanezawa:高根沢町 Nasu:那須町 Nakagawa:那珂川町
10 *Maebashi:前橋市 *Takasaki:高崎市 Kiryu:桐生市 Isesaki:伊勢崎市 Ota:太田市 Numata:沼田市
    Tatebayashi:館林市 Shibukawa:渋川市 Fujioka:藤岡市 Tomioka:富岡市 Annaka:安中市
    Midori:みどり市 Shinto:榛東村 Yoshioka:吉岡町 Ueno:上野村 Kanna:神流町 Shimonita:下仁田町
    Nanmoku:南牧村 Kanra:甘楽町 Naganohara:長野原町 Tsumagoi:嬬恋村 Kusatsu:草津町
    Higashiagatsuma:東吾妻町 Katashina:片品村 Minakami:みなかみ町 Oizumi:大泉町 Itakura:板倉町
11 *Kawagoe:川越市 Kumagaya:熊谷市 *Kawaguchi:川口市 Gyoda:行田市 Chichibu:秩父市
    Tokorozawa:所沢市 Hanno:飯能市 Kazo:加須市 Honjo:本庄市 Higashimatsuyama:東松山市
    Kasukabe:春日部市 Sayama:狭山市 Hanyu:羽生市 Konosu:鴻巣市 Fukaya:深谷市 Ageo:上尾市
    Soka:草加市 *Koshigaya:越谷市 Warabi:蕨市 Toda:戸田市 Iruma:入間市 Asaka:朝霞市 Shiki:志木市
    Wako:和光市 Niiza:新座市 Okegawa:桶川市 Kuki:久喜市 Kitamoto:北本市 Yashio:八潮市
    Fujimi:富士見市 Misato:三郷市 Hasuda:蓮田市 Sakado:坂戸市 Satte:幸手市 Tsurugashima:鶴ヶ島市
    Hidaka:日高市 Yoshikawa:吉川市 Ogose:越生町 Ogawa:小川町 Nagatoro:長瀞町 Minano:皆野町
    Yorii:寄居町 Higashichichibu:東秩父村
12 Choshi:銚子市 *Ichikawa:市川市 *Funabashi:船橋市 Tateyama:館山市 Kisarazu:木更津市
    *Matsudo:松戸市 Noda:野田市 Mobara:茂原市 Narita:成田市 Sakura:佐倉市 Togane:東金市
    Asahi:旭市 Narashino:習志野市 *Kashiwa:柏市 Katsuura:勝浦市 Ichihara:市原市
    Nagareyama:流山市 Yachiyo:八千代市 Abiko:我孫子市 Kamogawa:鴨川市 Kamagaya:鎌ケ谷市
    Kimitsu:君津市 Futtsu:富津市 *Urayasu:浦安市 Yotsukaido:四街道市 Sodegaura:袖ケ浦市
    Yachimata:八街市 Inzai:印西市 Shiroi:白井市 Tomisato:富里市 Minamiboso:南房総市 Sosa:匝瑳市
    Katori:香取市 Sanmu:山武市 Isumi:いすみ市 Oamishirasato:大網白里市 Shisui:酒々井町
    Sakae:栄町 Kozaki:神崎町 Tako:多古町 Chonan:長南町 Otaki:大多喜町 Onjuku:御宿町
    Kyonan:鋸南町 Chosei:長生村
13 *Chiyoda:千代田区 *Chuo:中央区 *Minato:港区 *Shinjuku:新宿区 *Bunkyo:文京区 *Taito:台東区
    *Sumida:墨田区 *Koto:江東区 *Shinagawa:品川区 *Meguro:目黒区 *Ota:大田区 *Setagaya:世田谷区
    *Shibuya:渋谷区 *Nakano:中野区 *Suginami:杉並区 *Toshima:豊島区 *Kita:北区 *Arakawa:荒川区
    *Itabashi:板橋区 *Nerima:練馬区 *Adachi:足立区 *Katsushika:葛飾区 *Edogawa:江戸川区
    *Hachioji:八王子市 *Tachikawa:立川市 *Musashino:武蔵野市 *Mitaka:三鷹市 Ome:青梅市
    *Fuchu:府中市 Akishima:昭島市 *Chofu:調布市 *Machida:町田市 Koganei:小金井市 Kodaira:小平市
    Hino:日野市 Kokubunji:国分寺市 Kunitachi:国立市 Tama:多摩市 Inagi:稲城市 Akiruno:あきる野市
    Mizuho:瑞穂町 Hinode:日の出町 Hinohara:檜原村 Okutama:奥多摩町 ~Oshima:大島町
    ~Hachijo:八丈町 ~Ogasawara:小笠原村 ~Niijima:新島村 ~Miyake:三宅村
14 *Yokosuka:横須賀市 Hiratsuka:平塚市 Kamakura:鎌倉市 *Fujisawa:藤沢市 Odawara:小田原市
    Chigasaki:茅ヶ崎市 Zushi:逗子市 Miura:三浦市 Hadano:秦野市 Atsugi:厚木市 Yamato:大和市
    Isehara:伊勢原市 Ebina:海老名市 Zama:座間市 Minamiashigara:南足柄市 Ayase:綾瀬市
    Hayama:葉山町 Samukawa:寒川町 Oiso:大磯町 Ninomiya:二宮町 Nakai:中井町 Oi:大井町
    Matsuda:松田町 Yamakita:山北町 Kaisei:開成町 Hakone:箱根町 Manazuru:真鶴町 Yugawara:湯河原町
    Aikawa:愛川町 Kiyokawa:清川村
15 Nagaoka:長岡市 Sanjo:三条市 Kashiwazaki:柏崎市 Shibata:新発田市 Ojiya:小千谷市 Kamo:加茂市
    Tokamachi:十日町市 Mitsuke:見附市 Murakami:村上市 Tsubame:燕市 Itoigawa:糸魚川市
    Myoko:妙高市 Gosen:五泉市 Joetsu:上越市 Agano:阿賀野市 ~Sado:佐渡市 Uonuma:魚沼市
    Minamiuonuma:南魚沼市 Tainai:胎内市 Seiro:聖籠町 Yahiko:弥彦村 Tagami:田上町 Aga:阿賀町
    Izumozaki:出雲崎町 Yuzawa:湯沢町 Tsunan:津南町 Kariwa:刈羽村 Sekikawa:関川村
    ~Awashimaura:粟島浦村
16 *Toyama:富山市 Takaoka:高岡市 Uozu:魚津市 Himi:氷見市 Namerikawa:滑川市 Kurobe:黒部市
    Tonami:砺波市 Oyabe:小矢部市 Nanto:南砺市 Imizu:射水市 Funahashi:舟橋村 Kamiichi:上市町
    Tateyama:立山町 Nyuzen:入善町 Asahi:朝日町
17 *Kanazawa:金沢市 Nanao:七尾市 Komatsu:小松市 Wajima:輪島市 Suzu:珠洲市 Kaga:加賀市
    Hakui:羽咋市 Kahoku:かほく市 Hakusan:白山市 Nomi:能美市 Nonoichi:野々市市 Kawakita:川北町
    Tsubata:津幡町 Uchinada:内灘町 Shika:志賀町 Hodatsushimizu:宝達志水町 Nakanoto:中能登町
    Anamizu:穴水町 Noto:能登町
18 *Fukui:福井市 Tsuruga:敦賀市 Obama:小浜市 Ono:大野市 Katsuyama:勝山市 Sabae:鯖江市
    Awara:あわら市 Echizen:越前市 Sakai:坂井市 Eiheiji:永平寺町 Ikeda:池田町
    Minamiechizen:南越前町 Echizen:越前町 Mihama:美浜町 Takahama:高浜町 Oi:おおい町
    Wakasa:若狭町
19 *Kofu:甲府市 Fujiyoshida:富士吉田市 Tsuru:都留市 Yamanashi:山梨市 Otsuki:大月市
    Nirasaki:韮崎市 Minami-Alps:南アルプス市 Hokuto:北杜市 Kai:甲斐市 Fuefuki:笛吹市
    Uenohara:上野原市 Koshu:甲州市 Chuo:中央市 Ichikawamisato:市川三郷町 Hayakawa:早川町
    Minobu:身延町 Nanbu:南部町 Fujikawa:富士川町 Showa:昭和町 Doshi:道志村 Oshino:忍野村
    Yamanakako:山中湖村 Narusawa:鳴沢村 Fujikawaguchiko:富士河口湖町 Kosuge:小菅村
    Tabayama:丹波山村
20 *Nagano:長野市 *Matsumoto:松本市 Ueda:上田市 Okaya:岡谷市 Iida:飯田市 Suwa:諏訪市
    Suzaka:須坂市 Komoro:小諸市 Ina:伊那市 Komagane:駒ヶ根市 Nakano:中野市 Omachi:大町市
    Iiyama:飯山市 Chino:茅野市 Shiojiri:塩尻市 Saku:佐久市 Chikuma:千曲市 Tomi:東御市
    Azumino:安曇野市 Karuizawa:軽井沢町 Miyota:御代田町 Tateshina:立科町 Nagawa:長和町
    Shimosuwa:下諏訪町 Fujimi:富士見町 Hara:原村 Tatsuno:辰野町 Minowa:箕輪町 Achi:阿智村
    Kiso:木曽町 Hakuba:白馬村 Otari:小谷村 Nozawaonsen:野沢温泉村 Yamanouchi:山ノ内町
    Obuse:小布施町 Sakae:栄村
21 *Gifu:岐阜市 Ogaki:大垣市 Takayama:高山市 Tajimi:多治見市 Seki:関市 Nakatsugawa:中津川市
    Mino:美濃市 Mizunami:瑞浪市 Hashima:羽島市 Ena:恵那市 Minokamo:美濃加茂市 Toki:土岐市
    Kakamigahara:各務原市 Kani:可児市 Yamagata:山県市 Mizuho:瑞穂市 Hida:飛騨市 Motosu:本巣市
    Gujo:郡上市 Gero:下呂市 Kaizu:海津市 Shirakawa:白川村 Ibigawa:揖斐川町
    Higashishirakawa:東白川村
22 Numazu:沼津市 Atami:熱海市 Mishima:三島市 Fujinomiya:富士宮市 Ito:伊東市 Shimada:島田市
    Fuji:富士市 Iwata:磐田市 Yaizu:焼津市 Kakegawa:掛川市 Fujieda:藤枝市 Gotemba:御殿場市
    Fukuroi:袋井市 Shimoda:下田市 Susono:裾野市 Kosai:湖西市 Izu:伊豆市 Omaezaki:御前崎市
    Kikugawa:菊川市 Izunokuni:伊豆の国市 Makinohara:牧之原市 Higashiizu:東伊豆町 Kawazu:河津町
    Minamiizu:南伊豆町 Matsuzaki:松崎町 Nishiizu:西伊豆町 Kannami:函南町 Shimizu:清水町
    Nagaizumi:長泉町 Oyama:小山町 Yoshida:吉田町 Kawanehon:川根本町 Mori:森町
23 *Toyohashi:豊橋市 *Okazaki:岡崎市 *Ichinomiya:一宮市 Seto:瀬戸市 Handa:半田市
    *Kasugai:春日井市 Toyokawa:豊川市 Tsushima:津島市 Hekinan:碧南市 Kariya:刈谷市
    *Toyota:豊田市 Anjo:安城市 Nishio:西尾市 Gamagori:蒲郡市 Inuyama:犬山市 Tokoname:常滑市
    Konan:江南市 Komaki:小牧市 Inazawa:稲沢市 Shinshiro:新城市 Tokai:東海市 Obu:大府市
    Chita:知多市 Chiryu:知立市 Owariasahi:尾張旭市 Takahama:高浜市 Iwakura:岩倉市 Toyoake:豊明市
    Nisshin:日進市 Tahara:田原市 Aisai:愛西市 Kiyosu:清須市 Kitanagoya:北名古屋市 Yatomi:弥富市
    Miyoshi:みよし市 Ama:あま市 Nagakute:長久手市 Togo:東郷町 Taketoyo:武豊町 Mihama:美浜町
    Minamichita:南知多町 Shitara:設楽町 Toei:東栄町 Toyone:豊根村
24 Tsu:津市 *Yokkaichi:四日市市 Ise:伊勢市 Matsusaka:松阪市 Kuwana:桑名市 Suzuka:鈴鹿市
    Nabari:名張市 Owase:尾鷲市 Kameyama:亀山市 Toba:鳥羽市 Kumano:熊野市 Inabe:いなべ市
    Shima:志摩市 Iga:伊賀市 Komono:菰野町 Asahi:朝日町 Kawagoe:川越町 Taki:多気町 Meiwa:明和町
    Odai:大台町 Tamaki:玉城町 Watarai:度会町 Minamiise:南伊勢町 Kihoku:紀北町 Mihama:御浜町
    Kiho:紀宝町
25 *Otsu:大津市 Hikone:彦根市 Nagahama:長浜市 Omihachiman:近江八幡市 Kusatsu:草津市
    Moriyama:守山市 Ritto:栗東市 Koka:甲賀市 Yasu:野洲市 Konan:湖南市 Takashima:高島市
    Higashiomi:東近江市 Maibara:米原市 Hino:日野町 Ryuo:竜王町 Aisho:愛荘町 Toyosato:豊郷町
    Kora:甲良町 Taga:多賀町
26 Fukuchiyama:福知山市 Maizuru:舞鶴市 Ayabe:綾部市 *Uji:宇治市 Miyazu:宮津市 Kameoka:亀岡市
    Joyo:城陽市 Muko:向日市 Nagaokakyo:長岡京市 Yawata:八幡市 Kyotanabe:京田辺市
    Kyotango:京丹後市 Nantan:南丹市 Kizugawa:木津川市 Oyamazaki:大山崎町 Kumiyama:久御山町
    Ide:井手町 Ujitawara:宇治田原町 Kasagi:笠置町 Wazuka:和束町 Seika:精華町
    Minamiyamashiro:南山城村 Kyotamba:京丹波町 Ine:伊根町 Yosano:与謝野町
27 Kishiwada:岸和田市 *Toyonaka:豊中市 Ikeda:池田市 *Suita:吹田市 Izumiotsu:泉大津市
    *Takatsuki:高槻市 Kaizuka:貝塚市 Moriguchi:守口市 *Hirakata:枚方市 Ibaraki:茨木市
    *Yao:八尾市 Izumisano:泉佐野市 Tondabayashi:富田林市 *Neyagawa:寝屋川市
    Kawachinagano:河内長野市 Matsubara:松原市 Daito:大東市 Izumi:和泉市 Minoh:箕面市
    Kashiwara:柏原市 Habikino:羽曳野市 Kadoma:門真市 Settsu:摂津市 Takaishi:高石市
    Fujiidera:藤井寺市 *Higashiosaka:東大阪市 Sennan:泉南市 Shijonawate:四條畷市 Katano:交野市
    Osakasayama:大阪狭山市 Hannan:阪南市 Shimamoto:島本町 Toyono:豊能町 Nose:能勢町
    Tadaoka:忠岡町 Kumatori:熊取町 Tajiri:田尻町 Misaki:岬町 Taishi:太子町 Kanan:河南町
    Chihayaakasaka:千早赤阪村
28 *Himeji:姫路市 *Amagasaki:尼崎市 *Akashi:明石市 *Nishinomiya:西宮市 Sumoto:洲本市
    Ashiya:芦屋市 Itami:伊丹市 Aioi:相生市 Toyooka:豊岡市 Kakogawa:加古川市 Ako:赤穂市
    Nishiwaki:西脇市 Takarazuka:宝塚市 Miki:三木市 Takasago:高砂市 Kawanishi:川西市 Ono:小野市
    Sanda:三田市 Kasai:加西市 Tambasasayama:丹波篠山市 Yabu:養父市 Tamba:丹波市
    Minamiawaji:南あわじ市 Asago:朝来市 Awaji:淡路市 Shiso:宍粟市 Kato:加東市 Tatsuno:たつの市
    Inagawa:猪名川町 Taka:多可町 Inami:稲美町 Harima:播磨町 Ichikawa:市川町 Fukusaki:福崎町
    Kamikawa:神河町 Sayo:佐用町 Kami:香美町 Shin'onsen:新温泉町
29 *Nara:奈良市 Yamatotakada:大和高田市 Yamatokoriyama:大和郡山市 Tenri:天理市 Kashihara:橿原市
    Sakurai:桜井市 Gojo:五條市 Gose:御所市 Ikoma:生駒市 Kashiba:香芝市 Katsuragi:葛城市
    Uda:宇陀市 Heguri:平群町 Ikaruga:斑鳩町 Asuka:明日香村 Yoshino:吉野町 Oyodo:大淀町
    Shimoichi:下市町 Totsukawa:十津川村 Nosegawa:野迫川村 Kamikitayama:上北山村 Soni:曽爾村
    Mitsue:御杖村
30 *Wakayama:和歌山市 Kainan:海南市 Hashimoto:橋本市 Arida:有田市 Gobo:御坊市 Tanabe:田辺市
    Shingu:新宮市 Kinokawa:紀の川市 Iwade:岩出市 Kimino:紀美野町 Katsuragi:かつらぎ町
    Koya:高野町 Yuasa:湯浅町 Hirogawa:広川町 Aridagawa:有田川町 Mihama:美浜町 Hidaka:日高町
    Yura:由良町 Minabe:みなべ町 Shirahama:白浜町 Kushimoto:串本町 Nachikatsuura:那智勝浦町
    Taiji:太地町 Kozagawa:古座川町 Kitayama:北山村
31 *Tottori:鳥取市 Yonago:米子市 Kurayoshi:倉吉市 Sakaiminato:境港市 Iwami:岩美町 Yazu:八頭町
    Wakasa:若桜町 Chizu:智頭町 Misasa:三朝町 Yurihama:湯梨浜町 Kotoura:琴浦町 Hokuei:北栄町
    Daisen:大山町 Nanbu:南部町 Hoki:伯耆町 Hino:日野町 Kofu:江府町 Nichinan:日南町
    Hiezu:日吉津村
32 *Matsue:松江市 Hamada:浜田市 Izumo:出雲市 Masuda:益田市 Oda:大田市 Yasugi:安来市 Gotsu:江津市
    Unnan:雲南市 Okuizumo:奥出雲町 Iinan:飯南町 Kawamoto:川本町 Misato:美郷町 Ohnan:邑南町
    Tsuwano:津和野町 Yoshika:吉賀町 ~Ama:海士町 ~Nishinoshima:西ノ島町 ~Chibu:知夫村
    ~Okinoshima:隠岐の島町
33 *Kurashiki:倉敷市 Tsuyama:津山市 Tamano:玉野市 Kasaoka:笠岡市 Ibara:井原市 Soja:総社市
    Takahashi:高梁市 Niimi:新見市 Bizen:備前市 Setouchi:瀬戸内市 Akaiwa:赤磐市 Maniwa:真庭市
    Mimasaka:美作市 Asakuchi:浅口市 Wake:和気町 Hayashima:早島町 Satosho:里庄町 Yakage:矢掛町
    Shinjo:新庄村 Kagamino:鏡野町 Shoo:勝央町 Nagi:奈義町 Nishiawakura:西粟倉村 Kumenan:久米南町
    Misaki:美咲町 Kibichuo:吉備中央町
34 *Kure:呉市 Takehara:竹原市 Mihara:三原市 Onomichi:尾道市 *Fukuyama:福山市 Fuchu:府中市
    Miyoshi:三次市 Shobara:庄原市 Otake:大竹市 Higashihiroshima:東広島市 Hatsukaichi:廿日市市
    Akitakata:安芸高田市 Etajima:江田島市 Fuchu:府中町 Kaita:海田町 Kumano:熊野町 Saka:坂町
    Akiota:安芸太田町 Kitahiroshima:北広島町 ~Osakikamijima:大崎上島町 Sera:世羅町
    Jinsekikogen:神石高原町
35 *Shimonoseki:下関市 Ube:宇部市 Yamaguchi:山口市 Hagi:萩市 Hofu:防府市 Kudamatsu:下松市
    Iwakuni:岩国市 Hikari:光市 Nagato:長門市 Yanai:柳井市 Mine:美祢市 Shunan:周南市
    San'yo-Onoda:山陽小野田市 ~Suooshima:周防大島町 Waki:和木町 Kaminoseki:上関町
    Tabuse:田布施町 Hirao:平生町 Abu:阿武町
36 Tokushima:徳島市 Naruto:鳴門市 Komatsushima:小松島市 Anan:阿南市 Yoshinogawa:吉野川市
    Awa:阿波市 Mima:美馬市 Miyoshi:三好市 Katsuura:勝浦町 Kamikatsu:上勝町 Sanagochi:佐那河内村
    Ishii:石井町 Kamiyama:神山町 Naka:那賀町 Mugi:牟岐町 Minami:美波町 Kaiyo:海陽町
    Matsushige:松茂町 Kitajima:北島町 Aizumi:藍住町 Itano:板野町 Kamiita:上板町 Tsurugi:つるぎ町
    Higashimiyoshi:東みよし町
37 *Takamatsu:高松市 Marugame:丸亀市 Sakaide:坂出市 Zentsuji:善通寺市 Kan'onji:観音寺市
    Sanuki:さぬき市 Higashikagawa:東かがわ市 Mitoyo:三豊市 ~Tonosho:土庄町 ~Shodoshima:小豆島町
    Miki:三木町 ~Naoshima:直島町 Utazu:宇多津町 Ayagawa:綾川町 Kotohira:琴平町 Tadotsu:多度津町
    Manno:まんのう町
38 *Matsuyama:松山市 Imabari:今治市 Uwajima:宇和島市 Yawatahama:八幡浜市 Niihama:新居浜市
    Saijo:西条市 Ozu:大洲市 Iyo:伊予市 Shikokuchuo:四国中央市 Seiyo:西予市 Toon:東温市
    ~Kamijima:上島町 Kumakogen:久万高原町 Masaki:松前町 Tobe:砥部町 Uchiko:内子町 Ikata:伊方町
    Matsuno:松野町 Kihoku:鬼北町 Ainan:愛南町
39 *Kochi:高知市 Muroto:室戸市 Aki:安芸市 Nankoku:南国市 Tosa:土佐市 Susaki:須崎市 Sukumo:宿毛市
    Tosashimizu:土佐清水市 Shimanto:四万十市 Konan:香南市 Kami:香美市 Toyo:東洋町
    Nahari:奈半利町 Tano:田野町 Yasuda:安田町 Kitagawa:北川村 Umaji:馬路村 Geisei:芸西村
    Motoyama:本山町 Otoyo:大豊町 Tosa:土佐町 Ino:いの町 Niyodogawa:仁淀川町 Nakatosa:中土佐町
    Sakawa:佐川町 Ochi:越知町 Yusuhara:梼原町 Kuroshio:黒潮町 Otsuki:大月町 Mihara:三原村
40 Omuta:大牟田市 *Kurume:久留米市 Nogata:直方市 Iizuka:飯塚市 Tagawa:田川市 Yanagawa:柳川市
    Yame:八女市 Chikugo:筑後市 Okawa:大川市 Yukuhashi:行橋市 Buzen:豊前市 Nakama:中間市
    Ogori:小郡市 Chikushino:筑紫野市 Kasuga:春日市 Onojo:大野城市 Munakata:宗像市
    Dazaifu:太宰府市 Koga:古賀市 Fukutsu:福津市 Ukiha:うきは市 Miyawaka:宮若市 Kama:嘉麻市
    Asakura:朝倉市 Miyama:みやま市 Itoshima:糸島市 Nakagawa:那珂川市 Umi:宇美町 Sasaguri:篠栗町
    Shime:志免町 Sue:須恵町 Shingu:新宮町 Hisayama:久山町 Kasuya:粕屋町 Ashiya:芦屋町
    Okagaki:岡垣町 Onga:遠賀町 Keisen:桂川町 Chikuzen:筑前町 Toho:東峰村 Soeda:添田町
    Kanda:苅田町 Miyako:みやこ町 Chikujo:築上町
41 *Saga:佐賀市 Karatsu:唐津市 Tosu:鳥栖市 Taku:多久市 Imari:伊万里市 Takeo:武雄市
    Kashima:鹿島市 Ogi:小城市 Ureshino:嬉野市 Kanzaki:神埼市 Yoshinogari:吉野ヶ里町
    Kiyama:基山町 Kamimine:上峰町 Miyaki:みやき町 Genkai:玄海町 Arita:有田町 Omachi:大町町
    Kohoku:江北町 Shiroishi:白石町 Tara:太良町
42 *Nagasaki:長崎市 *Sasebo:佐世保市 Shimabara:島原市 Isahaya:諫早市 Omura:大村市 Hirado:平戸市
    Matsuura:松浦市 ~Tsushima:対馬市 ~Iki:壱岐市 ~Goto:五島市 Saikai:西海市 Unzen:雲仙市
    Minamishimabara:南島原市 Nagayo:長与町 Togitsu:時津町 Higashisonogi:東彼杵町 Kawatana:川棚町
    Hasami:波佐見町 ~Ojika:小値賀町 Saza:佐々町 ~Shinkamigoto:新上五島町
43 Yatsushiro:八代市 Hitoyoshi:人吉市 Arao:荒尾市 Minamata:水俣市 Tamana:玉名市 Yamaga:山鹿市
    Kikuchi:菊池市 Uto:宇土市 Kamiamakusa:上天草市 Uki:宇城市 Aso:阿蘇市 Amakusa:天草市
    Koshi:合志市 Misato:美里町 Gyokuto:玉東町 Nankan:南関町 Nagasu:長洲町 Nagomi:和水町
    Ozu:大津町 Kikuyo:菊陽町 Minamioguni:南小国町 Oguni:小国町 Takamori:高森町 Mifune:御船町
    Kashima:嘉島町 Mashiki:益城町 Yamato:山都町 Hikawa:氷川町 Ashikita:芦北町 Tsunagi:津奈木町
    Nishiki:錦町 Taragi:多良木町 Yunomae:湯前町 Mizukami:水上村 Sagara:相良村 Itsuki:五木村
    Yamae:山江村 Kuma:球磨村 Asagiri:あさぎり町 Reihoku:苓北町
44 *Oita:大分市 Beppu:別府市 Nakatsu:中津市 Hita:日田市 Saiki:佐伯市 Usuki:臼杵市
    Tsukumi:津久見市 Taketa:竹田市 Bungotakada:豊後高田市 Kitsuki:杵築市 Usa:宇佐市
    Bungoono:豊後大野市 Yufu:由布市 Kunisaki:国東市 ~Himeshima:姫島村 Hiji:日出町 Kokonoe:九重町
    Kusu:玖珠町
45 *Miyazaki:宮崎市 Miyakonojo:都城市 Nobeoka:延岡市 Nichinan:日南市 Kobayashi:小林市
    Hyuga:日向市 Kushima:串間市 Saito:西都市 Ebino:えびの市 Mimata:三股町 Takaharu:高原町
    Kunitomi:国富町 Aya:綾町 Takanabe:高鍋町 Shintomi:新富町 Nishimera:西米良村 Kijo:木城町
    Kawaminami:川南町 Tsuno:都農町 Kadogawa:門川町 Morotsuka:諸塚村 Shiiba:椎葉村 Misato:美郷町
    Takachiho:高千穂町 Hinokage:日之影町 Gokase:五ヶ瀬町
46 *Kagoshima:鹿児島市 Kanoya:鹿屋市 Makurazaki:枕崎市 Akune:阿久根市 Izumi:出水市
    Ibusuki:指宿市 ~Nishinoomote:西之表市 Tarumizu:垂水市 Satsumasendai:薩摩川内市 Hioki:日置市
    Soo:曽於市 Kirishima:霧島市 Ichikikushikino:いちき串木野市 Minamisatsuma:南さつま市
    Shibushi:志布志市 ~Amami:奄美市 Minamikyushu:南九州市 Isa:伊佐市 Aira:姶良市 ~Mishima:三島村
    ~Toshima:十島村 Satsuma:さつま町 Nagashima:長島町 Yusui:湧水町 Osaki:大崎町
    Higashikushira:東串良町 Kinko:錦江町 Minamiosumi:南大隅町 Kimotsuki:肝付町
    ~Nakatane:中種子町 ~Minamitane:南種子町 ~Yakushima:屋久島町 ~Tatsugo:龍郷町 ~Kikai:喜界町
    ~Tokunoshima:徳之島町 ~Amagi:天城町 ~Wadomari:和泊町 ~China:知名町 ~Yoron:与論町
47 *Naha:那覇市 Ginowan:宜野湾市 ~Ishigaki:石垣市 Urasoe:浦添市 Nago:名護市 Itoman:糸満市
    Okinawa:沖縄市 Tomigusuku:豊見城市 Uruma:うるま市 ~Miyakojima:宮古島市 Nanjo:南城市
    Kunigami:国頭村 Ogimi:大宜味村 Higashi:東村 Nakijin:今帰仁村 Motobu:本部町 Onna:恩納村
    Ginoza:宜野座村 Kin:金武町 ~Ie:伊江村 Yomitan:読谷村 Kadena:嘉手納町 Chatan:北谷町
    Kitanakagusuku:北中城村 Nakagusuku:中城村 Nishihara:西原町 Yonabaru:与那原町
    Haebaru:南風原町 ~Tokashiki:渡嘉敷村 ~Zamami:座間味村 ~Kumejima:久米島町 Yaese:八重瀬町
    ~Taketomi:竹富町 ~Yonaguni:与那国町 ~Kitadaito:北大東村 ~Minamidaito:南大東村
"""


@cache
def municipalities() -> tuple[Municipality, ...]:
    """Every listed municipality, in prefecture order then list order."""
    found: list[Municipality] = []
    prefecture = 0
    for token in _MUNICIPALITIES.split():
        if token.isdigit():
            prefecture = int(token)
            continue
        romaji, kanji = token.lstrip("*~").split(":")
        found.append(
            Municipality(
                prefecture,
                romaji,
                kanji,
                _SUFFIX_KIND[kanji[-1]],
                large=token.startswith("*"),
                island=token.startswith("~"),
            )
        )
    return tuple(found)
