//! The demo store's customers and what they hold: data, read by `seed`.

/// What one demo customer holds.
pub(super) enum Holding {
    Points {
        balance: u64,
        earned: u64,
        expiring: Option<(u64, i64)>,
    },
    Package {
        label: &'static str,
        sessions: u64,
        session_value: u64,
    },
    Membership {
        label: &'static str,
        credit: u64,
        valid_days: i64,
    },
    Campaign {
        label: &'static str,
        uses: u64,
        use_value: u64,
        valid_days: i64,
    },
    GiftCard {
        credit: u64,
        valid_days: i64,
    },
}

pub(super) struct DemoCustomer {
    pub(super) id: &'static str,
    pub(super) name: &'static str,
    pub(super) mobile: Option<&'static str>,
    pub(super) email: Option<&'static str>,
    pub(super) card: Option<&'static str>,
    pub(super) whatsapp: bool,
    pub(super) holdings: Vec<Holding>,
}

/// The demo merchant's card types (seed 004): (id, name, customer type, points earned per
/// ₹100.00). Classic earns exactly the store's demo rate and its points are worth what the
/// store's are (₹1.00), so a Normal customer earns and redeems as before card types; every
/// card's point is worth ₹1.00.
pub(super) const CARD_TYPES: [(&str, &str, &str, u32); 3] = [
    ("ct-demo-classic", "Classic", "Normal", 1),
    ("ct-demo-business", "Business", "GST", 2),
    ("ct-demo-institutional", "Institutional", "Institutional", 3),
];

/// The demo customers' customer types. Asha Rao has none: she earns at the store's own rate,
/// whatever the manager sets it to (the tests that change the store's rate accrue for her).
pub(super) fn customer_type(id: &str) -> Option<&'static str> {
    match id {
        "cust-asha" => None,
        "cust-karan" | "cust-ananya" => Some("GST"),
        "cust-aditya" => Some("Institutional"),
        _ => Some("Normal"),
    }
}

pub(super) fn customers() -> Vec<DemoCustomer> {
    use Holding::*;
    let pts = |balance, earned| Points {
        balance,
        earned,
        expiring: None,
    };
    let c = |id, name, mobile, email, card, whatsapp, holdings| DemoCustomer {
        id,
        name,
        mobile,
        email,
        card,
        whatsapp,
        holdings,
    };
    vec![
        c(
            "cust-asha",
            "Asha Rao",
            Some("+919876543210"),
            Some("asha@example.com"),
            Some("RG00012345"),
            true,
            vec![
                Points {
                    balance: 1_200,
                    earned: 3_400,
                    expiring: Some((200, 10)),
                },
                Package {
                    label: "Hair spa × 6",
                    sessions: 4,
                    session_value: 150_000,
                },
            ],
        ),
        c(
            "cust-vikram",
            "Vikram Singh",
            Some("+919812345678"),
            None,
            Some("RG00012346"),
            false,
            vec![pts(640, 1_100)],
        ),
        c(
            "cust-priya",
            "Priya Nair",
            Some("+919845012345"),
            Some("priya.nair@example.com"),
            Some("RG00012347"),
            true,
            vec![
                Points {
                    balance: 2_450,
                    earned: 5_000,
                    expiring: Some((450, 5)),
                },
                Membership {
                    label: "Gold membership credit",
                    credit: 500_000,
                    valid_days: 200,
                },
            ],
        ),
        c(
            "cust-arjun",
            "Arjun Patel",
            Some("+919900112233"),
            None,
            None,
            false,
            vec![pts(30, 30)],
        ),
        c(
            "cust-kavya",
            "Kavya Iyer",
            Some("+919811122233"),
            Some("kavya@example.com"),
            Some("RG00012349"),
            true,
            vec![
                pts(880, 1_900),
                Campaign {
                    label: "Diwali free haircut",
                    uses: 1,
                    use_value: 40_000,
                    valid_days: 20,
                },
            ],
        ),
        c(
            "cust-rohan",
            "Rohan Gupta",
            Some("+917012345678"),
            None,
            Some("RG00012350"),
            false,
            vec![
                pts(150, 150),
                GiftCard {
                    credit: 250_000,
                    valid_days: 365,
                },
            ],
        ),
        c(
            "cust-ananya",
            "Ananya Reddy",
            Some("+919700011122"),
            Some("ananya@example.com"),
            None,
            true,
            vec![
                pts(5_000, 12_000),
                Package {
                    label: "Facial × 5",
                    sessions: 5,
                    session_value: 120_000,
                },
            ],
        ),
        c(
            "cust-siddharth",
            "Siddharth Joshi",
            Some("+918800123456"),
            None,
            Some("RG00012352"),
            false,
            vec![pts(0, 800)],
        ),
        c(
            "cust-meera",
            "Meera Krishnan",
            None,
            Some("meera@example.com"),
            Some("RG00012353"),
            false,
            vec![Points {
                balance: 720,
                earned: 720,
                expiring: Some((120, 3)),
            }],
        ),
        c(
            "cust-aditya",
            "Aditya Kulkarni",
            Some("+919822334455"),
            Some("aditya@example.com"),
            None,
            true,
            vec![
                Membership {
                    label: "Platinum membership credit",
                    credit: 1_000_000,
                    valid_days: 300,
                },
                pts(310, 900),
            ],
        ),
        c(
            "cust-ishita",
            "Ishita Banerjee",
            Some("+919830011223"),
            None,
            Some("RG00012355"),
            true,
            vec![
                pts(95, 400),
                Campaign {
                    label: "Birthday manicure",
                    uses: 1,
                    use_value: 60_000,
                    valid_days: 25,
                },
            ],
        ),
        c(
            "cust-karan",
            "Karan Malhotra",
            Some("+919811998877"),
            Some("karan@example.com"),
            Some("RG00012356"),
            false,
            vec![pts(12_000, 20_000)],
        ),
        c(
            "cust-neha",
            "Neha Deshpande",
            Some("+919922113344"),
            None,
            None,
            false,
            vec![
                Package {
                    label: "Hair spa × 6",
                    sessions: 6,
                    session_value: 150_000,
                },
                pts(55, 55),
            ],
        ),
        c(
            "cust-rahul",
            "Rahul Verma",
            Some("+919711223344"),
            Some("rahul.v@example.com"),
            Some("RG00012358"),
            true,
            vec![
                pts(430, 1_430),
                GiftCard {
                    credit: 100_000,
                    valid_days: 180,
                },
            ],
        ),
        c(
            "cust-pooja",
            "Pooja Menon",
            Some("+919847001122"),
            None,
            Some("RG00012359"),
            false,
            vec![Points {
                balance: 600,
                earned: 600,
                expiring: Some((600, 7)),
            }],
        ),
        c(
            "cust-farhan",
            "Farhan Qureshi",
            Some("+919820098765"),
            Some("farhan@example.com"),
            None,
            true,
            vec![pts(1_999, 2_500)],
        ),
        c(
            "cust-lakshmi",
            "Lakshmi Subramanian",
            Some("+919444012345"),
            None,
            Some("RG00012361"),
            true,
            vec![
                Membership {
                    label: "Silver membership credit",
                    credit: 200_000,
                    valid_days: 90,
                },
                Package {
                    label: "Pedicure × 4",
                    sessions: 2,
                    session_value: 80_000,
                },
            ],
        ),
        c(
            "cust-deepak",
            "Deepak Chauhan",
            Some("+919810012399"),
            None,
            None,
            false,
            vec![pts(75, 75)],
        ),
        c(
            "cust-sneha",
            "Sneha Pillai",
            Some("+919895012345"),
            Some("sneha@example.com"),
            Some("RG00012363"),
            false,
            vec![
                pts(3_200, 6_000),
                Campaign {
                    label: "Monsoon hair-care kit",
                    uses: 2,
                    use_value: 25_000,
                    valid_days: 15,
                },
            ],
        ),
        c(
            "cust-zoya",
            "Zoya Khan",
            Some("+919867012345"),
            Some("zoya@example.com"),
            Some("RG00012364"),
            true,
            vec![
                pts(540, 540),
                GiftCard {
                    credit: 50_000,
                    valid_days: 60,
                },
            ],
        ),
    ]
}
