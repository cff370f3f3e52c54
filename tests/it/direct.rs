//! The point reads SQLite answers on the calling thread (`store::direct`) give what the pool
//! gives: the same rows, decoded the same way, for every reader's scope. On PostgreSQL both
//! handles read through the pool, so the test holds there trivially and runs anyway.

use chengguan::store::cases::CaseFilter;
use chengguan::store::org::{PeopleFilter, Visibility};

use crate::support::TestApp;

#[tokio::test]
async fn direct_reads_answer_as_the_pool_does_for_every_scope() {
    let app = TestApp::new().await;
    chengguan::demo::seed_cases(&app.state).await.unwrap();
    let pooled = app.db.clone().with_pool_reads_only();
    let today = app.clock_now().date_naive();
    let (cases, _) = app
        .db
        .cases(&Visibility::All, &CaseFilter { page: 1, page_size: 200, ..Default::default() })
        .await
        .unwrap();
    let people = app
        .db
        .people(&Visibility::All, &PeopleFilter { page: 1, page_size: 500, ..Default::default() }, today)
        .await
        .unwrap()
        .rows;
    assert!(cases.len() >= 3 && people.len() >= 10, "the demo bureau has cases and people to read");
    let squad = cases[0].unit_id.clone();
    let officer = people.iter().find(|p| p.unit_id == squad).map(|p| p.id.clone()).unwrap();
    let scopes = [
        Visibility::All,
        Visibility::Unit(squad.clone()),
        Visibility::Subtree(squad),
        Visibility::Person(officer),
        Visibility::Nothing,
    ];
    let mut seen = 0;
    for scope in &scopes {
        for case in &cases {
            let direct = app.db.case(scope, &case.id).await.unwrap();
            let pool = pooled.case(scope, &case.id).await.unwrap();
            assert_eq!(format!("{direct:?}"), format!("{pool:?}"), "case {} as {scope:?}", case.number);
            seen += usize::from(direct.is_some());
        }
        for person in &people {
            let direct = app.db.person(scope, &person.id).await.unwrap();
            let pool = pooled.person(scope, &person.id).await.unwrap();
            assert_eq!(direct, pool, "person {} as {scope:?}", person.name);
        }
        for certificate in ["", "valid", "expiring", "expired", "missing"] {
            let filter = PeopleFilter { certificate: certificate.into(), ..Default::default() };
            assert_eq!(
                app.db.people_count(scope, &filter, today).await.unwrap(),
                pooled.people_count(scope, &filter, today).await.unwrap(),
                "people with certificate {certificate:?} as {scope:?}"
            );
        }
    }
    // Some reads found their case and some scopes hid it: both answers were compared.
    assert!(seen > cases.len() && seen < cases.len() * scopes.len());
    for case in &cases {
        let direct = app.db.case_timeline(&case.id).await.unwrap();
        let pool = pooled.case_timeline(&case.id).await.unwrap();
        assert_eq!(format!("{direct:?}"), format!("{pool:?}"));
    }
    // An id nobody has is absent on both paths.
    assert!(app.db.case(&Visibility::All, "no-such-case").await.unwrap().is_none());
    assert!(app.db.person(&Visibility::All, "no-such-person").await.unwrap().is_none());
}
