window.CELLSCOPE_EXPLORER = {
"length": 120,
"levels": 64,
"text": "She said \"\u003cscript\u003ex\u003c/script\u003e\" \u0026 left.\n  (a = [1, 2]) {ok}\t'it''s' \"fine\"\nThe \"end\" of a \u003cb\u003esample\u003c/b\u003e text, 1 2 3!She sa",
"cells": [
{"id":"l0-c-0","label":"L0 c 0","rank":1,"role":"inside double quotes, AUC 0.97","page":"cells/l0-c-0.html"},
{"id":"l0-c-1","label":"L0 c 1","rank":9,"role":"no clear role","page":""},
{"id":"l0-c-2","label":"L0 c 2","rank":5,"role":"no clear role","page":""},
{"id":"l0-h-0","label":"L0 h 0","rank":2,"role":"inside double quotes, AUC 0.91","page":"cells/l0-h-0.html"},
{"id":"l0-h-1","label":"L0 h 1","rank":6,"role":"no clear role","page":""},
{"id":"l0-h-2","label":"L0 h 2","rank":11,"role":"no clear role","page":""},
{"id":"l1-c-0","label":"L1 c 0","rank":3,"role":"inside double quotes, AUC 0.85","page":"cells/l1-c-0.html"},
{"id":"l1-c-1","label":"L1 c 1","rank":7,"role":"no clear role","page":""},
{"id":"l1-c-2","label":"L1 c 2","rank":8,"role":"no clear role","page":""},
{"id":"l1-h-0","label":"L1 h 0","rank":4,"role":"inside double quotes, AUC 0.79","page":"cells/l1-h-0.html"},
{"id":"l1-h-1","label":"L1 h 1","rank":12,"role":"no clear role","page":""},
{"id":"l1-h-2","label":"L1 h 2","rank":10,"role":"no clear role","page":""}
],
"values": "MMMMMMMMM8888888888888888888MMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMM88888MMMMMM8888MMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMM7996ziPFDCDHUo27996zhOFDCDIVp38996ygNFDCDIVq38986xfNFCCDIWr38986xeMFCCEJXr48986wdMFCCEJYs48985wcLECCEJYt48985vcLECCEKZt480aGCDLm5980ZGCDLn598zYGCDMn598zXFCDMo698zWFCDNp698yWFCDNq698xVFCDOr697xUFCEOr697wTFCEPs697wTECEQt797vSECEQt797vRECERu79QQQQQQQQQ2222222222222222222QQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQ22222QQQQQQ2222QQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQFDW68oFDX68nFDY78nEDZ78mEDa78lEDa78kEDb78jEDc78iEDd78iEDe78hEDf88gDDg88fDDg87eDEh87dDEi87cDEj87cDEk87bDEl87aDEm87ZDEm87YCe83ICf83IDg93IDh92HDi92HDj92HDj91HDk91GDl90GDm90GDn9zGDo9zFDo9yFDp9yFDq9xFDr9xFEr9wFEs9wEEt9vEEt9vEEu9uEEv9tEEv9tEEw9sESSSSSSSSS0000000000000000000SSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSS00000SSSSSS0000SSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSS45EK8uCb9ZCv8JE54EM8rCe9WDy8IF63DO9oCi9TD07HG71DR9lCl9QD17GH7zDT9hCo9OD36FI8xCW9eCr8ME45EJ8vCZ9bCu8KE54EL8sCd9XCx8JF63DN9MG8nC05DZ9LG8kC14Dc9JH8iC24De9II8fD33Ch8HJ9dD42Ck8HK9aD50Cm8GL9YD5zCo8FN9VD6xCr7FO9TE7wCt7EQ9RE7uCv7ES9PE7sCx6EU9OF8qCyVVVVVVVVVwwwwwwwwwwwwwwwwwwwVVVVVVVVVVVVVVVVVVVVVVVVVVVVVVVVVVVVVVwwwwwVVVVVVwwwwVVVVVVVVVVVVVVVVVVVVVVVVVVVVVVVVVVVVVVVJT8DxyC8VI9Fh6C4oE9LQ8Dt1C7aH9Gc7C2sD8ON9Dq3C6eF9HX7C0vD8SK9El4C5jE9JT8DxyC8VI9Fh6C4oE9LQ8Dt1C7aH9Gc7C2sD8ON9Dq3C6eF9HX7C7QS7C7PT6C7OV6C8NW6C8MY5C8LZ5C8Kb4C8Jd4C8Je3D8Ig3D9Hi2D9Hk1D9Gl0D9GnzD9FoyD9FqxD9FrwE9EtvE9EuuE9EvsE9ExrF9DyqF9DzoG9D0m"
};
