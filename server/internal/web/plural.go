package web

// PluralCategory is the CLDR plural category of an integer count in lang
// (be, ru or en): the rules of CLDR's plurals.xml for integers, which is
// all the pages count.
func PluralCategory(lang string, n int64) string {
	if n < 0 {
		n = -n
	}
	mod10, mod100 := n%10, n%100
	switch lang {
	case "be", "ru":
		switch {
		case mod10 == 1 && mod100 != 11:
			return "one"
		case mod10 >= 2 && mod10 <= 4 && (mod100 < 12 || mod100 > 14):
			return "few"
		default:
			return "many"
		}
	default:
		if n == 1 {
			return "one"
		}
		return "other"
	}
}
