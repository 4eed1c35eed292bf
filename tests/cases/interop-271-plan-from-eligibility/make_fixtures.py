import sys
def isa(ctrl, ver="00501", rep="^"):
    return f"ISA*00*          *00*          *ZZ*{'ACMEHEALTH':<15}*ZZ*{'RIVERSIDE':<15}*260310*0930*{rep if ver=='00501' else 'U'}*{ver}*{ctrl:09d}*0*P*:"
def build(st_code, ver_impl, body, ctrl=1, gs="HB", isa_ver="00501"):
    segs=[isa(ctrl, isa_ver), f"GS*{gs}*ACMEHEALTH*RIVERSIDE*20260310*0930*{ctrl}*X*{ver_impl if isa_ver=='00501' else '004010X092A1'}",
          f"ST*{st_code}*0001*{ver_impl}"]+body
    n=len(body)+2
    segs+= [f"SE*{n}*0001", f"GE*1*{ctrl}", f"IEA*1*{ctrl:09d}"]
    return segs
def eb(*v):
    v=list(v)+['']*(13-len(v))
    s="EB*"+"*".join(v)
    return s.rstrip("*")
body271=[
"BHT*0022*11*RQ20260310*20260310*0930",
"HL*1**20*1","NM1*PR*2*ACME HEALTH PLAN*****PI*60054",
"HL*2*1*21*1","NM1*1P*2*RIVERSIDE THERAPY CLINIC*****XX*1234567893",
"HL*3*2*22*0","TRN*2*0000000042*9RIVERSIDE","NM1*IL*1*LOPEZ*MARIA****MI*ACM5512093",
"N3*1458 OAK STREET*APT 2","N4*COLUMBUS*OH*43215","DMG*D8*19810614*F","DTP*346*D8*20240101",
eb("1","FAM","30","PR","ACME GOLD PPO"),"DTP*291*RD8*20260101-20261231",
eb("1","","33^PT^98^62^4^2^7"),
eb("C","IND","30","","","23","1500","","","","","Y"),
eb("C","IND","30","","","24","1100","","","","","Y"),
eb("C","IND","30","","","29","400","","","","","Y"),
eb("C","FAM","30","","","23","3000","","","","","Y"),
eb("C","FAM","30","","","24","1800","","","","","Y"),
eb("C","FAM","30","","","29","1300","","","","","Y"),
"MSG*FAMILY DEDUCTIBLE REMAINING AS OF 03/09/2026",
eb("C","IND","30","","","23","3000","","","","","N"),
eb("C","IND","30","","","29","3000","","","","","N"),
eb("C","FAM","30","","","23","6000","","","","","N"),
eb("G","IND","30","","","23","6000","","","","","Y"),
eb("G","IND","30","","","29","4900","","","","","Y"),
eb("G","FAM","30","","","23","12000","","","","","Y"),
eb("G","FAM","30","","","24","1800","","","","","Y"),
eb("G","IND","30","","","23","12000","","","","","N"),
eb("A","IND","30","","","","",".2","","","","Y"),
eb("A","IND","30","","","","",".4","","","","N"),
eb("B","IND","98","","","27","30","","","","N","Y"),"III*ZZ*11",
"MSG*COPAY DOES NOT APPLY TO PREVENTIVE VISITS",
eb("B","IND","33","","","27","40","","","","N","Y"),
eb("A","IND","33","","","","",".5","","","","N"),
eb("F","IND","33","","","23","","","VS","20","","W"),
"MSG*CHIROPRACTIC VISITS PER CALENDAR YEAR, IN AND OUT OF NETWORK COMBINED",
eb("F","IND","33","","","29","","","VS","14","","W"),
eb("F","IND","33","","","23","1000","","","","","N"),
eb("B","IND","PT^AE","","","27","40","","","","N","Y"),
eb("F","IND","PT","","","23","","","VS","30","","W"),
eb("F","IND","PT","","","29","","","VS","18","","W"),
eb("F","IND","PT","","","24","","","VS","12","","W"),
eb("A","IND","62","","","","",".3","","","Y","Y"),
"MSG*PRIOR AUTHORIZATION REQUIRED FOR MRI AND CT",
eb("I","IND","62","","","","","","","","","N"),
eb("A","IND","4","","","","",".2","","","N","Y"),
eb("A","IND","2^53","","","","",".2","","","Y","Y"),
eb("A","IND","7","","","","",".2","","","N","Y"),
eb("B","IND","UC","","","27","75","","","","","Y"),
eb("B","IND","86","","","27","250","","","","","W"),
eb("I","IND","AD"),
eb("I","IND","35"),
eb("B","IND","88","","","27","15","","","","","Y"),
eb("U","IND","30"),"MSG*FOR PRIOR AUTHORIZATION CALL THE NUMBER ON THE MEMBER CARD",
]
body835=[
"BPR*I*315.00*C*ACH*CCP*01*999999992*DA*123456*1512345678**01*999988880*DA*98765*20260320",
"TRN*1*12345*1512345678","DTM*405*20260318",
"N1*PR*ACME HEALTH PLAN","N3*100 MAIN STREET","N4*COLUMBUS*OH*43215",
"N1*PE*RIVERSIDE THERAPY CLINIC*XX*1234567893",
"LX*1",
"CLP*RTC-1001*1*300*170*80*12*ACM26031800017",
"NM1*QC*1*LOPEZ*MARIA****MI*ACM5512093",
"DTM*232*20260302",
"SVC*HC:98941:AT*120*70**1","DTM*472*20260302","CAS*CO*45*10","CAS*PR*3*30**1*10","AMT*B6*110","LQ*HE*N130",
"SVC*HC:97140:GP*90*50**2","DTM*472*20260302","CAS*CO*45*20","CAS*PR*2*20","AMT*B6*70",
"SVC*HC:97110:GP*90*50**2","DTM*472*20260302","CAS*CO*45*20","CAS*PR*2*20","AMT*B6*70","LQ*HE*M15",
"CLP*RTC-1002*1*250*160*50*12*ACM26031800018",
"NM1*QC*1*LOPEZ*MARIA****MI*ACM5512093",
"MOA***MA01",
"CAS*OA*23*20",
"SVC*HC:72100*250*180**1","DTM*472*20260305","CAS*CO*45*20","CAS*PR*1*50","AMT*B6*230",
"CLP*RTC-1003*4*95*0*0*12*ACM26031800019",
"NM1*QC*1*LOPEZ*MARIA****MI*ACM5512093",
"SVC*HC:97124*95*0**2","DTM*472*20260306","CAS*CO*96*95","LQ*HE*N130",
"PLB*1234567893*20261231*WO:RTC-0998*15",
]
if __name__=="__main__":
    kind=sys.argv[1]
    if kind=="271":
        segs=build("271","005010X279A1",body271)
        sys.stdout.write("\r\n".join(s+"~" for s in segs)+"\r\n")
    elif kind=="835":
        segs=build("835","005010X221A1",body835,gs="HP")
        sys.stdout.write("".join(s+"~" for s in segs)+"\n\x0cPRINTED BY CLEARINGHOUSE PORTAL\n")
    elif kind=="835-unbalanced":
        b=[x.replace("CLP*RTC-1002*1*250*160","CLP*RTC-1002*1*250*165").replace("BPR*I*315.00","BPR*I*320.00") for x in body835]
        segs=build("835","005010X221A1",b,gs="HP")
        sys.stdout.write("\n".join(s+"~" for s in segs)+"\n")
