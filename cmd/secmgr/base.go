package main

import "secmgr/pkg/workbook"

func init() {
	// Every workbook secmgr writes records the version that wrote it.
	workbook.Version = buildVersion()
}
