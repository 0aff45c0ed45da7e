// Package artifacts is secmgr's typed model of OneStream application
// security.
//
// An Environment holds one application's security: a slice of typed rows
// per tab of the security workbook (Users, UsersInGroups, Groups …
// XformProfiles). The tab table, Tabs, describes every tab once — columns
// in export order, key columns, value kinds and domains, whether import may
// add rows and which ActionTypes apply — and binds each column to its
// struct field, so the workbook codec, validation, planning and export are
// written once against the table rather than once per tab.
//
// Names match case-insensitively (Fold, KeyString) and keep their stored
// casing. Load and Save read and write the canonical environment file
// (format secmgr.environment/v1): Save is atomic and owner-only, Load is
// strict and refuses what it could not write back.
//
//	env, err := artifacts.Load("prod.json")
//	if err != nil { … }
//	t := artifacts.TabEntity.Tab()
//	if i, ok := t.Find(env, "houston"); ok {
//		fmt.Println(t.Cell(env, i, t.Column("ReadWriteGroup")))
//	}
package artifacts
