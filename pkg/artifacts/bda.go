package artifacts

// BDA Security Manager imports what its guide describes. secmgr reads and
// writes that vocabulary exactly, and adds a few extensions for what the
// guide cannot say: ActionType/ActionValue on every tab but Users and
// Groups, and slice rules of a Type other than GuideSliceRuleType.
// DisplayMemberGroup, which the guide's table leaves out, is kept.

// GuideSliceRuleType is the only slice-rule Type the guide describes.
const GuideSliceRuleType = "Data Cell Access Security"

// GuideActions reports whether ActionType and ActionValue on t are the
// guide's vocabulary (Users and Groups) rather than secmgr's extension.
func (t *Tab) GuideActions() bool { return t.ID == TabUsers || t.ID == TabGroups }

// InGuide reports whether column ci of t is a column of the guide; the
// others are extensions, which a workbook for BDA leaves out.
func (t *Tab) InGuide(ci int) bool {
	return !t.Columns[ci].IsAction() || t.GuideActions()
}

// GuideColumns returns the indexes of t's guide columns, in export order.
func (t *Tab) GuideColumns() []int {
	var out []int
	for i := range t.Columns {
		if t.InGuide(i) {
			out = append(out, i)
		}
	}
	return out
}

// ByHand says where in OneStream a change of tab t is made by hand, for
// a change the guide's vocabulary cannot carry: "by hand in OneStream
// (" + ByHand(t) + ")".
func ByHand(t *Tab) string {
	switch t.ID {
	case TabExGroup, TabUsersInExGroups, TabGroupsInExGroups:
		return "System > Security > Exclusion Groups: open the exclusion group and edit its entries"
	case TabUsersInGroups, TabUsers:
		return "System > Security > Users: open the user and edit its group membership"
	case TabGroupsInGroups, TabGroups:
		return "System > Security > Groups: open the group and edit its child groups"
	case TabCubeDataCellAccess:
		return "Application > Cube > Cubes: open the cube and edit its Data Access slice security"
	}
	return "the " + t.Artifact + "'s security settings"
}
